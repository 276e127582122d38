package dev.heartbeat.vertx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.transport.HandshakeCheck;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocketClientOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class VertxWebSocketOptionsTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    VertxWebSocketOptions options = VertxWebSocketOptions.defaults();
    assertEquals(65_536, options.maxFrameSize());
    assertEquals(262_144, options.maxMessageSize());
    assertEquals("/ws", options.path());
    assertEquals(List.of(), options.subprotocols());
    assertEquals(Map.of(), options.headers());
    assertEquals(Duration.ofSeconds(10), options.connectTimeout());
    assertEquals(Duration.ofSeconds(1), options.closeTimeout());
    assertEquals(50, options.maxConnections());
  }

  @Test
  void settersReturnNewBuildersAndLeaveTheOriginalAlone() {
    VertxWebSocketOptions.Builder original = VertxWebSocketOptions.builder();
    VertxWebSocketOptions.Builder changed = original.maxFrameSize(1_000).maxMessageSize(2_000).path("/chat")
        .subprotocols(List.of("chat.v1")).header("X-Token", "a").header("x-token", "b")
        .connectTimeout(Duration.ofMillis(300)).closeTimeout(Duration.ofMillis(200)).maxConnections(2)
        .handshakeCheck(HandshakeCheck.acceptAll());
    assertNotSame(original, changed);
    assertEquals(65_536, original.build().maxFrameSize(), "the original builder is untouched");
    VertxWebSocketOptions options = changed.build();
    assertEquals(1_000, options.maxFrameSize());
    assertEquals(2_000, options.maxMessageSize());
    assertEquals("/chat", options.path());
    assertEquals(List.of("chat.v1"), options.subprotocols());
    assertEquals(Map.of("X-Token", List.of("a", "b")), options.headers(), "values of one name, any case, add up");
    assertEquals(Duration.ofMillis(300), options.connectTimeout());
    assertEquals(Duration.ofMillis(200), options.closeTimeout());
    assertEquals(2, options.maxConnections());
    assertEquals(options.toString(), options.toBuilder().build().toString());
  }

  @Test
  void badValuesFailAtOnceNamingTheField() {
    VertxWebSocketOptions.Builder b = VertxWebSocketOptions.builder();
    assertField("maxFrameSize", () -> b.maxFrameSize(124));
    assertField("maxMessageSize", () -> b.maxMessageSize(0));
    assertField("maxMessageSize", () -> b.maxFrameSize(100_000).maxMessageSize(50_000).build());
    assertField("path", () -> b.path("ws"));
    assertField("subprotocols", () -> b.subprotocols(List.of("chat v1")));
    assertField("subprotocols", () -> b.subprotocols(List.of("")));
    assertField("headers", () -> b.header("Bad Name", "x"));
    assertField("headers", () -> b.header("X-Ok", "line\r\nbreak"));
    // The checks shared with the Reactor Netty spec (dev.heartbeat.internal.Validate):
    assertField("path", () -> b.path("/ws?x=1"));
    assertField("subprotocols", () -> b.subprotocols(List.of("chat.v1", "chat.v1")));
    assertField("headers", () -> b.header("Sec-WebSocket-Protocol", "x"));
    assertField("connectTimeout", () -> b.connectTimeout(Duration.ZERO));
    assertField("closeTimeout", () -> b.closeTimeout(Duration.ofMillis(-1)));
    assertField("maxConnections", () -> b.maxConnections(0));
    NullPointerException missing = assertThrows(NullPointerException.class, () -> b.handshakeCheck(null));
    assertEquals("handshakeCheck", missing.getMessage());
  }

  @Test
  void theyReachVertxOptions() {
    VertxWebSocketOptions options = VertxWebSocketOptions.builder().maxFrameSize(1_000).maxMessageSize(5_000)
        .subprotocols(List.of("a", "b")).closeTimeout(Duration.ofMillis(1_500)).maxConnections(3)
        .connectTimeout(Duration.ofMillis(700)).build();
    HttpServerOptions server = new HttpServerOptions();
    assertSame(server, options.applyTo(server));
    assertEquals(1_000, server.getMaxWebSocketFrameSize());
    assertEquals(5_000, server.getMaxWebSocketMessageSize());
    assertEquals(List.of("a", "b"), server.getWebSocketSubProtocols());
    assertEquals(2, server.getWebSocketClosingTimeout(), "whole seconds, rounded up");
    WebSocketClientOptions client = options.toClientOptions();
    assertEquals(1_000, client.getMaxFrameSize());
    assertEquals(5_000, client.getMaxMessageSize());
    assertEquals(3, client.getMaxConnections());
    assertEquals(700, client.getConnectTimeout());
  }

  private static void assertField(String field, Executable call) {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, call);
    assertTrue(error.getMessage().startsWith(field + ":"), error.getMessage());
  }
}
