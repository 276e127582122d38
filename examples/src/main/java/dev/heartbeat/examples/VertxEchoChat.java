package dev.heartbeat.examples;

import dev.heartbeat.vertx.VertxClientTransport;
import dev.heartbeat.vertx.VertxServerTransport;
import dev.heartbeat.vertx.VertxWebSocketOptions;
import io.vertx.core.Vertx;
import java.net.URI;

/** {@link EchoChat} on Vert.x: the two lines that create the endpoints are all that is Vert.x here. */
public final class VertxEchoChat {

  private VertxEchoChat() {}

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    try {
      EchoChat.run(
          port -> VertxServerTransport.create(vertx, "127.0.0.1", port, VertxWebSocketOptions.defaults()),
          port -> VertxClientTransport.create(vertx, URI.create("ws://127.0.0.1:" + port + "/ws")),
          System.out::println);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }
}
