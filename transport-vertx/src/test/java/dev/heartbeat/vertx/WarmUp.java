package dev.heartbeat.vertx;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.transport.ServerHandle;
import dev.heartbeat.transport.WebSocketConnection;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;

/**
 * One-time JVM work, done before any checked Vert.x exists: loading the classes of a WebSocket
 * round trip (and Netty's first pooled chunk, which registers a JFR event class) takes a few
 * hundred ms on a busy machine, which the blocked-thread checker would report against the first
 * test. One round trip over the adapters, on a Vert.x with the default checker.
 */
final class WarmUp {

  private static final Duration DEADLINE = Duration.ofSeconds(10);

  private WarmUp() {}

  static void run() {
    Vertx vertx = Vertx.vertx();
    try {
      ServerHandle server = VertxServerTransport.create(vertx, "127.0.0.1", 0, VertxWebSocketOptions.defaults())
          .start(session -> session.send(session.receive())).block(DEADLINE);
      VertxClientTransport client = VertxClientTransport.create(vertx, URI.create("ws://127.0.0.1:" + server.port() + "/ws"));
      WebSocketConnection connection = client.connect().block(DEADLINE);
      connection.send(Mono.just(WsFrame.binary(new byte[100_000]))).block(DEADLINE);
      connection.receive().blockFirst(DEADLINE);
      connection.close(CloseStatus.NORMAL).block(DEADLINE);
      server.shutdown().block(DEADLINE);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
  }
}
