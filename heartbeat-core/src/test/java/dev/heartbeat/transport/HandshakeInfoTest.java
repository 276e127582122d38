package dev.heartbeat.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
