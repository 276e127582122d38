package dev.heartbeat.vertx;

import dev.heartbeat.test.ServerRoleSuite;
import dev.heartbeat.transport.ClientTransport;
import dev.heartbeat.transport.HandshakeCheck;
import dev.heartbeat.transport.ServerTransport;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The server role over real loopback sockets, Vert.x on both sides. A blocked event loop fails the test. */
class VertxServerRoleTest extends ServerRoleSuite {

  @RegisterExtension
  static final VertxTesting.Instances VERTX = new VertxTesting.Instances();

  @Override
  protected ServerTransport serverTransport(HandshakeCheck check) {
    return VertxServerTransport.create(VERTX.server(), "127.0.0.1", 0,
        VertxWebSocketOptions.builder().handshakeCheck(check).build());
  }

  @Override
  protected ClientTransport clientTransport(int port, String pathAndQuery, Map<String, String> headers) {
    VertxWebSocketOptions.Builder options = VertxWebSocketOptions.builder();
    for (Map.Entry<String, String> header : headers.entrySet()) {
      options = options.header(header.getKey(), header.getValue());
    }
    return VertxClientTransport.create(VERTX.client(), URI.create("ws://127.0.0.1:" + port + pathAndQuery), options.build());
  }
}
