package dev.heartbeat.netty;

import dev.heartbeat.test.TransportConformanceSuite;
import dev.heartbeat.transport.ClientTransport;
import dev.heartbeat.transport.ServerHandle;
import dev.heartbeat.transport.ServerTransport;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import java.net.URI;

/** The conformance suite over real loopback sockets, Reactor Netty on both sides. */
class NettyConformanceTest extends TransportConformanceSuite {

  @Override
  protected ServerTransport serverTransport() {
    return NettyServerTransport.create("127.0.0.1", 0);
  }

  @Override
  protected ClientTransport clientTransport(ServerHandle server) {
    return NettyClientTransport.create(URI.create("ws://127.0.0.1:" + server.port() + "/ws"));
  }

  @Override
  protected void kill(ServerHandle server) {
    ((NettyServerTransport.NettyServer) server).kill();
  }

  @Override
  protected ServerHandle restart(ServerHandle killed, SessionHandler<WebSocketConnection> handler) {
    return NettyServerTransport.create("127.0.0.1", killed.port()).start(handler).block(DEADLINE);
  }
}
