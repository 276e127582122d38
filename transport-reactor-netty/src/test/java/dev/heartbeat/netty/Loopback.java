package dev.heartbeat.netty;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.transport.ServerHandle;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Mono;

/**
 * Servers and clients on loopback (port 0) for the Netty tests, remembered so that
 * {@link #disposeAll()} (called from {@code @AfterEach}) leaves nothing running.
 */
final class Loopback {

  /** How long any condition may take to come true on a loaded 2-core machine. */
  static final Duration DEADLINE = Duration.ofSeconds(10);

  private final List<ServerHandle> servers = new CopyOnWriteArrayList<>();
  private final List<WebSocketConnection> clients = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> others = new CopyOnWriteArrayList<>();

  /** Starts {@code transport} (bound to 127.0.0.1:0 unless it says otherwise) running {@code handler}. */
  NettyServerTransport.NettyServer start(NettyServerTransport transport, SessionHandler<WebSocketConnection> handler) {
    ServerHandle server = transport.start(handler).block(DEADLINE);
    servers.add(server);
    return (NettyServerTransport.NettyServer) server;
  }

  /** Starts a default server on 127.0.0.1:0 running {@code handler}. */
  NettyServerTransport.NettyServer start(SessionHandler<WebSocketConnection> handler) {
    return start(NettyServerTransport.create("127.0.0.1", 0), handler);
  }

  static URI uri(int port) {
    return URI.create("ws://127.0.0.1:" + port + "/ws");
  }

  /** Connects with {@code spec} to {@code /ws} on {@code port}. */
  NettyWebSocketConnection connect(int port, NettyWebSocketSpec spec) {
    return connect(NettyClientTransport.create(uri(port), spec));
  }

  NettyWebSocketConnection connect(int port) {
    return connect(port, NettyWebSocketSpec.defaults());
  }

  NettyWebSocketConnection connect(NettyClientTransport transport) {
    WebSocketConnection connection = transport.connect().block(DEADLINE);
    clients.add(connection);
    return (NettyWebSocketConnection) connection;
  }

  /** Remembers {@code resource} to close it last. */
  <T extends AutoCloseable> T track(T resource) {
    others.add(resource);
    return resource;
  }

  void disposeAll() {
    for (WebSocketConnection client : clients) {
      client.close(CloseStatus.NORMAL).onErrorResume(e -> Mono.empty()).block(DEADLINE);
    }
    for (ServerHandle server : servers) {
      server.shutdown().onErrorResume(e -> Mono.empty()).block(DEADLINE);
    }
    for (AutoCloseable other : others) {
      try {
        other.close();
      } catch (Exception ignored) {
        // best effort
      }
    }
  }
}
