package dev.heartbeat.vertx;

import dev.heartbeat.test.TransportConformanceSuite;
import dev.heartbeat.transport.ClientTransport;
import dev.heartbeat.transport.ServerHandle;
import dev.heartbeat.transport.ServerTransport;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import io.vertx.core.Vertx;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The core's conformance suite over real loopback sockets, Vert.x in both roles: a Vert.x
 * client against a Vert.x server, each on its own Vert.x instance. A blocked event loop fails
 * the test.
 */
class VertxConformanceTest extends TransportConformanceSuite {

  private static Vertx serverVertx;
  private static Vertx clientVertx;

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
  void noEventLoopBlocked() {
    VertxTesting.assertNoEventLoopBlocked();
  }

  @Override
  protected ServerTransport serverTransport() {
    return VertxServerTransport.create(serverVertx, "127.0.0.1", 0, VertxWebSocketOptions.defaults());
  }

  @Override
  protected ClientTransport clientTransport(ServerHandle server) {
    return VertxClientTransport.create(clientVertx, URI.create("ws://127.0.0.1:" + server.port() + "/ws"));
  }

  @Override
  protected void kill(ServerHandle server) {
    ((VertxServerTransport.Handle) server).kill().block(DEADLINE);
  }

  @Override
  protected ServerHandle restart(ServerHandle killed, SessionHandler<WebSocketConnection> handler) {
    return VertxServerTransport.create(serverVertx, "127.0.0.1", killed.port(), VertxWebSocketOptions.defaults())
        .start(handler).block(DEADLINE);
  }
}
