package dev.heartbeat.vertx;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import reactor.core.publisher.Mono;

/**
 * Real loopback sockets between a server Vert.x and a client Vert.x; everything a test starts
 * is closed after it, and a blocked event loop fails it.
 */
abstract class VertxSocketTest {

  static final Duration DEADLINE = VertxTesting.DEADLINE;

  static Vertx serverVertx;
  static Vertx clientVertx;

  private final List<Runnable> cleanups = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startVertx() {
    serverVertx = VertxTesting.vertx();
    clientVertx = VertxTesting.vertx();
  }

  @AfterAll
  static void stopVertx() {
    VertxTesting.close(clientVertx);
    VertxTesting.close(serverVertx);
  }

  @AfterEach
  void cleanUp() {
    List<Runnable> reversed = new ArrayList<>(cleanups);
    java.util.Collections.reverse(reversed);
    cleanups.clear();
    for (Runnable cleanup : reversed) {
      try {
        cleanup.run();
      } catch (RuntimeException ignored) {
        // cleaning up what a test may have closed already
      }
    }
    VertxTesting.assertNoEventLoopBlocked();
  }

  /** Runs {@code cleanup} after the test (last registered, first run). */
  void afterTest(Runnable cleanup) {
    cleanups.add(cleanup);
  }

  VertxServerTransport.Handle start(SessionHandler<WebSocketConnection> handler) {
    return start(handler, VertxWebSocketOptions.defaults());
  }

  VertxServerTransport.Handle start(SessionHandler<WebSocketConnection> handler, VertxWebSocketOptions options) {
    return start(VertxServerTransport.create(serverVertx, "127.0.0.1", 0, options), handler);
  }

  VertxServerTransport.Handle start(VertxServerTransport transport, SessionHandler<WebSocketConnection> handler) {
    VertxServerTransport.Handle server = (VertxServerTransport.Handle) transport.start(handler).block(DEADLINE);
    afterTest(() -> server.shutdown().onErrorResume(e -> Mono.empty()).block(DEADLINE));
    return server;
  }

  VertxClientTransport client(int port) {
    return client(port, VertxWebSocketOptions.defaults());
  }

  VertxClientTransport client(int port, VertxWebSocketOptions options) {
    return client(uri(port), options);
  }

  VertxClientTransport client(URI uri, VertxWebSocketOptions options) {
    VertxClientTransport client = VertxClientTransport.create(clientVertx, uri, options);
    afterTest(() -> client.close().onErrorResume(e -> Mono.empty()).block(DEADLINE));
    return client;
  }

  WebSocketConnection connect(VertxClientTransport client) {
    WebSocketConnection connection = client.connect().block(DEADLINE);
    afterTest(() -> connection.close(CloseStatus.NORMAL).onErrorResume(e -> Mono.empty()).block(DEADLINE));
    return connection;
  }

  static URI uri(int port) {
    return URI.create("ws://127.0.0.1:" + port + "/ws");
  }

  /** The server side of a connection, as the adapter made it. */
  static VertxWebSocketConnection vertx(WebSocketConnection connection) {
    return (VertxWebSocketConnection) connection;
  }
}
