package dev.heartbeat.netty;

import dev.heartbeat.test.TransportConformanceSuite;
import dev.heartbeat.transport.ClientTransport;
import dev.heartbeat.transport.ServerHandle;
import dev.heartbeat.transport.ServerTransport;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import dev.heartbeat.vertx.VertxClientTransport;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance suite across transports: a Vert.x client against a Reactor Netty server. It
 * sits in the Netty package (a test-only split package, on the class path) because crashing a
 * Netty server is a package-private test hook of that transport.
 */
class VertxClientNettyServerConformanceTest extends TransportConformanceSuite {

  private static Vertx clientVertx;

  @BeforeAll
  static void startVertx() {
    clientVertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    clientVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Override
  protected ServerTransport serverTransport() {
    return NettyServerTransport.create("127.0.0.1", 0);
  }

  @Override
  protected ClientTransport clientTransport(ServerHandle server) {
    return VertxClientTransport.create(clientVertx, URI.create("ws://127.0.0.1:" + server.port() + "/ws"));
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
