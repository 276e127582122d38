package dev.heartbeat.vertx;

import dev.heartbeat.netty.NettyClientTransport;
import dev.heartbeat.test.TransportConformanceSuite;
import dev.heartbeat.transport.ClientTransport;
import dev.heartbeat.transport.ServerHandle;
import dev.heartbeat.transport.ServerTransport;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance suite across transports: a Reactor Netty client against a Vert.x server
 * (Vert.x-Vert.x and Netty-Netty run in each transport's own module). It sits in the Vert.x
 * package (a test-only split package, on the class path) because crashing a Vert.x server is a
 * package-private test hook of that transport.
 */
class NettyClientVertxServerConformanceTest extends TransportConformanceSuite {

  private static Vertx serverVertx;

  @BeforeAll
  static void startVertx() {
    serverVertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    serverVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Override
  protected ServerTransport serverTransport() {
    return VertxServerTransport.create(serverVertx, "127.0.0.1", 0, VertxWebSocketOptions.defaults());
  }

  @Override
  protected ClientTransport clientTransport(ServerHandle server) {
    return NettyClientTransport.create(URI.create("ws://127.0.0.1:" + server.port() + "/ws"));
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
