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
  void theHeadersKeepTheirOrderAnswerLikeAnyMapAndRefuseEveryChange() {
    Map<String, List<String>> headers = HandshakeInfo.headersOf(List.of(
        Map.entry("Upgrade", "websocket"), Map.entry("X-Token", "a"), Map.entry("Host", "h"), Map.entry("x-token", "b")));
    assertEquals(List.of("upgrade", "x-token", "host"), List.copyOf(headers.keySet()));
    assertEquals(List.of(List.of("websocket"), List.of("a", "b"), List.of("h")), List.copyOf(headers.values()));
    assertEquals(3, headers.size());
    assertEquals(null, headers.get("X-Token"), "names are looked up as stored: lower case");
    assertEquals(false, headers.containsKey("origin"));
    Map<String, List<String>> same = new LinkedHashMap<>(Map.of("host", List.of("h"), "x-token", List.of("a", "b"),
        "upgrade", List.of("websocket")));
    assertEquals(same, headers);
    assertEquals(same.hashCode(), headers.hashCode());
    assertThrows(UnsupportedOperationException.class, () -> headers.remove("host"));
    assertThrows(UnsupportedOperationException.class, () -> headers.get("upgrade").add("h2c"));
    assertThrows(UnsupportedOperationException.class, () -> {
      var entries = headers.entrySet().iterator();
      entries.next();
      entries.remove();
    });
    assertThrows(UnsupportedOperationException.class, headers::clear);
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
