package dev.heartbeat.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.netty.NettyClientTransport;
import dev.heartbeat.netty.NettyServerTransport;
import dev.heartbeat.vertx.VertxClientTransport;
import dev.heartbeat.vertx.VertxServerTransport;
import dev.heartbeat.vertx.VertxWebSocketOptions;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One example, two transports: {@link EchoChat} runs on Reactor Netty and on Vert.x with
 * nothing changed but the two lines that create its endpoints, and tells the same story.
 */
class EchoChatTest {

  private static void assertTheStory(List<String> lines) {
    assertTrue(lines.contains("message Text[text=hello]"), lines.toString());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("disconnected code=1001") && l.endsWith("reconnect=true")), lines.toString());
    assertEquals(2, lines.stream().filter(l -> l.startsWith("connected")).count(), lines.toString());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("disconnected code=4500") && l.endsWith("reconnect=false")), lines.toString());
  }

  @Test
  void theExampleRunsOnReactorNetty() {
    assertTheStory(EchoChat.run(
        port -> NettyServerTransport.create("127.0.0.1", port),
        port -> NettyClientTransport.create(URI.create("ws://127.0.0.1:" + port + "/ws")),
        line -> { }));
  }

  @Test
  void theExampleRunsOnVertx() {
    Vertx vertx = Vertx.vertx();
    try {
      assertTheStory(EchoChat.run(
          port -> VertxServerTransport.create(vertx, "127.0.0.1", port, VertxWebSocketOptions.defaults()),
          port -> VertxClientTransport.create(vertx, URI.create("ws://127.0.0.1:" + port + "/ws")),
          line -> { }));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
  }
}
