package dev.heartbeat.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The spec: documented defaults, setters that return new builders, bad values named at once. */
class NettyWebSocketSpecTest {

  private static void rejects(String field, Executable setter) {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, setter);
    assertTrue(error.getMessage().startsWith(field + ":"), error.getMessage());
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    NettyWebSocketSpec spec = NettyWebSocketSpec.defaults();
    assertEquals("/ws", spec.path());
    assertEquals(65_536, spec.maxFramePayloadLength());
    assertEquals(List.of(), spec.subprotocols());
    assertEquals(Map.of(), spec.headers());
    assertEquals(Duration.ofSeconds(10), spec.connectTimeout());
    assertEquals(Duration.ofSeconds(10), spec.handshakeTimeout());
    assertEquals(Duration.ofSeconds(5), spec.closeTimeout());
    assertFalse(spec.compress());
  }

  @Test
  void everySetterReturnsANewBuilderAndLeavesTheOldOneAlone() {
    NettyWebSocketSpec.Builder base = NettyWebSocketSpec.builder();
    NettyWebSocketSpec.Builder changed = base.path("/live");
    assertNotSame(base, changed);
    assertNotSame(base, base.maxFramePayloadLength(1000));
    assertNotSame(base, base.subprotocols("a"));
    assertNotSame(base, base.header("x-a", "1"));
    assertNotSame(base, base.connectTimeout(Duration.ofSeconds(1)));
    assertNotSame(base, base.handshakeTimeout(Duration.ofSeconds(1)));
    assertNotSame(base, base.closeTimeout(Duration.ofSeconds(1)));
    assertNotSame(base, base.compress(true));
    assertEquals("/ws", base.build().path(), "the template is unchanged");
    assertEquals("/live", changed.build().path());

    NettyWebSocketSpec spec = base.path("/live").maxFramePayloadLength(1000).subprotocols("b", "a")
        .header("X-Token", "1").header("X-Token", "2").connectTimeout(Duration.ofMillis(300))
        .handshakeTimeout(Duration.ofMillis(400)).closeTimeout(Duration.ofMillis(500)).compress(true).build();
    assertEquals(1000, spec.maxFramePayloadLength());
    assertEquals(List.of("b", "a"), spec.subprotocols());
    assertEquals(Map.of("X-Token", List.of("1", "2")), spec.headers());
    assertEquals(Duration.ofMillis(300), spec.connectTimeout());
    assertEquals(Duration.ofMillis(400), spec.handshakeTimeout());
    assertEquals(Duration.ofMillis(500), spec.closeTimeout());
    assertTrue(spec.compress());
    assertEquals(spec.toString(), spec.toBuilder().build().toString(), "toBuilder keeps every value");
  }

  @Test
  void badValuesAreRejectedAtOnceNamingTheField() {
    NettyWebSocketSpec.Builder b = NettyWebSocketSpec.builder();
    rejects("path", () -> b.path("ws"));
    rejects("path", () -> b.path("/ws?x=1"));
    rejects("maxFramePayloadLength", () -> b.maxFramePayloadLength(124));
    rejects("subprotocols", () -> b.subprotocols("a b"));
    rejects("subprotocols", () -> b.subprotocols("a", "a"));
    rejects("subprotocols", () -> b.subprotocols(""));
    rejects("headers", () -> b.header("Sec-WebSocket-Protocol", "x"));
    rejects("headers", () -> b.header("Host", "x"));
    rejects("headers", () -> b.header("bad name", "x"));
    rejects("headers", () -> b.header("x-a", "line\r\nbreak"));
    rejects("connectTimeout", () -> b.connectTimeout(Duration.ZERO));
    rejects("connectTimeout", () -> b.connectTimeout(Duration.ofSeconds(-1)));
    rejects("handshakeTimeout", () -> b.handshakeTimeout(Duration.ZERO));
    rejects("handshakeTimeout", () -> b.handshakeTimeout(Duration.ofDays(2)));
    rejects("closeTimeout", () -> b.closeTimeout(Duration.ZERO));
    rejects("closeTimeout", () -> b.closeTimeout(Duration.ofDays(2)));
    assertEquals("connectTimeout", assertThrows(NullPointerException.class, () -> b.connectTimeout(null)).getMessage());
  }
}
