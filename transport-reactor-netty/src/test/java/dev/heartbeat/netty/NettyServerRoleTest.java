package dev.heartbeat.netty;

import dev.heartbeat.test.ServerRoleSuite;
import dev.heartbeat.transport.ClientTransport;
import dev.heartbeat.transport.HandshakeCheck;
import dev.heartbeat.transport.ServerTransport;
import java.net.URI;
import java.util.Map;

/** The server role over real loopback sockets, Reactor Netty on both sides. */
class NettyServerRoleTest extends ServerRoleSuite {

  @Override
  protected ServerTransport serverTransport(HandshakeCheck check) {
    return NettyServerTransport.create("127.0.0.1", 0).handshakeCheck(check);
  }

  @Override
  protected ClientTransport clientTransport(int port, String pathAndQuery, Map<String, String> headers) {
    NettyWebSocketSpec.Builder spec = NettyWebSocketSpec.builder();
    for (Map.Entry<String, String> header : headers.entrySet()) {
      spec = spec.header(header.getKey(), header.getValue());
    }
    return NettyClientTransport.create(URI.create("ws://127.0.0.1:" + port + pathAndQuery), spec.build());
  }
}
