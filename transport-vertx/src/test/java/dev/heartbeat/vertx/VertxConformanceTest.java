package dev.heartbeat.vertx;

import dev.heartbeat.test.TransportConformanceSuite;
import dev.heartbeat.transport.ClientTransport;
import dev.heartbeat.transport.ServerHandle;
import dev.heartbeat.transport.ServerTransport;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import java.net.URI;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The core's conformance suite over real loopback sockets, Vert.x in both roles: a Vert.x
 * client against a Vert.x server, each on its own Vert.x instance. A blocked event loop fails
 * the test.
 */
class VertxConformanceTest extends TransportConformanceSuite {

  @RegisterExtension
  static final VertxTesting.Instances VERTX = new VertxTesting.Instances();

  @Override
  protected ServerTransport serverTransport() {
    return VertxServerTransport.create(VERTX.server(), "127.0.0.1", 0, VertxWebSocketOptions.defaults());
  }

  @Override
  protected ClientTransport clientTransport(ServerHandle server) {
    return VertxClientTransport.create(VERTX.client(), URI.create("ws://127.0.0.1:" + server.port() + "/ws"));
  }

  @Override
  protected void kill(ServerHandle server) {
    ((VertxServerTransport.Handle) server).kill().block(DEADLINE);
  }

  @Override
  protected ServerHandle restart(ServerHandle killed, SessionHandler<WebSocketConnection> handler) {
    return VertxServerTransport.create(VERTX.server(), "127.0.0.1", killed.port(), VertxWebSocketOptions.defaults())
        .start(handler).block(DEADLINE);
  }
}
