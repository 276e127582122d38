package dev.heartbeat.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.vertx.VertxClientTransport;
import dev.heartbeat.vertx.VertxServerTransport;
import dev.heartbeat.vertx.VertxWebSocketOptions;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The transport-neutral example runs on Vert.x with nothing but its two endpoint lines. */
class VertxEchoChatTest {

  @Test
  void theExampleRunsOnVertx() {
    Vertx vertx = Vertx.vertx();
    try {
      List<String> lines = EchoChat.run(
          port -> VertxServerTransport.create(vertx, "127.0.0.1", port, VertxWebSocketOptions.defaults()),
          port -> VertxClientTransport.create(vertx, URI.create("ws://127.0.0.1:" + port + "/ws")),
          line -> { });
      assertTrue(lines.contains("message Text[text=hello]"), lines.toString());
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("disconnected code=1001") && l.endsWith("reconnect=true")), lines.toString());
      assertEquals(2, lines.stream().filter(l -> l.startsWith("connected")).count(), lines.toString());
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("disconnected code=4500") && l.endsWith("reconnect=false")), lines.toString());
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
  }
}
