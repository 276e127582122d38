package dev.heartbeat.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandshakeInfoTest {

  @Test
  void theHeadersAreImmutableAllTheWayDownAndCopiedFromWhatTheTransportGave() {
    List<String> values = new ArrayList<>(List.of("a", "b"));
    Map<String, List<String>> given = new LinkedHashMap<>();
    given.put("x-many", values);
    HandshakeInfo info = new HandshakeInfo(Role.SERVER, URI.create("ws://h/ws"), given, null, null);

    values.add("c");
    given.put("x-later", List.of("d"));
    assertEquals(Map.of("x-many", List.of("a", "b")), info.headers(), "later changes to the source do not show");
    assertThrows(UnsupportedOperationException.class, () -> info.headers().get("x-many").add("e"));
    assertThrows(UnsupportedOperationException.class, () -> info.headers().put("y", List.of()));
    assertEquals("a", info.header("X-Many"));
  }

  @Test
  void headersFromATransportAreLowerCasedJoinedByNameAndKeptAsGiven() {
    Map<String, List<String>> headers = HandshakeInfo.headersOf(List.of(
        Map.entry("Host", "h"), Map.entry("X-Token", "a"), Map.entry("x-token", "b"), Map.entry("Upgrade", "websocket")));

    assertEquals(Map.of("host", List.of("h"), "x-token", List.of("a", "b"), "upgrade", List.of("websocket")), headers);
    assertThrows(UnsupportedOperationException.class, () -> headers.get("x-token").add("c"));
    HandshakeInfo info = new HandshakeInfo(Role.SERVER, URI.create("ws://h/ws"), headers, null, null);
    assertSame(headers, info.headers(), "an immutable map is kept, not copied again");
  }

  @Test
  void usualHeaderNamesAreSharedAndOnlyAsciiLettersFold() {
    String first = HandshakeInfo.headersOf(List.of(Map.entry("Sec-WebSocket-Key", "k1"))).keySet().iterator().next();
    String second = HandshakeInfo.headersOf(List.of(Map.entry("SEC-WEBSOCKET-KEY", "k2"))).keySet().iterator().next();
    assertEquals("sec-websocket-key", first);
    assertSame(first, second, "one instance of a usual name for every connection");

    // U+017F (long s) upper-cases to S, but it is not an ASCII letter: no table entry may match it.
    String longS = HandshakeInfo.headersOf(List.of(Map.entry("\u017fec-websocket-key", "k"))).keySet().iterator().next();
    assertEquals("\u017fec-websocket-key", longS);
    assertEquals("x-made-up", HandshakeInfo.headersOf(List.of(Map.entry("X-Made-Up", "v"))).keySet().iterator().next());
  }
}
