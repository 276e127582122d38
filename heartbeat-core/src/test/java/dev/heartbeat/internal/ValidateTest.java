package dev.heartbeat.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The checks both transports' builders share for their handshake settings. */
class ValidateTest {

  @Test
  void aPathStartsWithASlashAndHasNoQueryOrFragment() {
    assertEquals("/ws/{room}", Validate.path("/ws/{room}"));
    rejects("path", () -> Validate.path("ws"));
    rejects("path", () -> Validate.path("/ws?x=1"));
    rejects("path", () -> Validate.path("/ws#top"));
    assertEquals("path", assertThrows(NullPointerException.class, () -> Validate.path(null)).getMessage());
  }

  @Test
  void subprotocolsAreTokensListedOnce() {
    assertEquals(List.of("chat.v2", "chat.v1"), Validate.subprotocols(List.of("chat.v2", "chat.v1")));
    rejects("subprotocols", () -> Validate.subprotocols(List.of("")));
    rejects("subprotocols", () -> Validate.subprotocols(List.of("chat v1")));
    rejects("subprotocols", () -> Validate.subprotocols(List.of("a,b")));
    rejects("subprotocols", () -> Validate.subprotocols(List.of("\"quoted\"")));
    rejects("subprotocols", () -> Validate.subprotocols(List.of("a", "a")));
  }

  @Test
  void headerValuesOfOneNameAddUpWhateverItsCase() {
    Map<String, List<String>> headers = Validate.withHeader(Map.of(), "X-Token", "1");
    headers = Validate.withHeader(headers, "x-token", "2");
    headers = Validate.withHeader(headers, "Authorization", "Bearer t");
    assertEquals(Map.of("X-Token", List.of("1", "2"), "Authorization", List.of("Bearer t")), headers);
    assertEquals(List.of("X-Token", "Authorization"), List.copyOf(headers.keySet()), "in the order first given");
    Map<String, List<String>> frozen = headers;
    assertThrows(UnsupportedOperationException.class, () -> frozen.put("X", List.of()));
  }

  @Test
  void theHandshakesOwnHeadersAndMalformedOnesAreRefused() {
    for (String reserved : List.of("Upgrade", "connection", "Host", "Sec-WebSocket-Protocol", "sec-websocket-key")) {
      rejects("headers", () -> Validate.withHeader(Map.of(), reserved, "x"));
    }
    rejects("headers", () -> Validate.withHeader(Map.of(), "bad name", "x"));
    rejects("headers", () -> Validate.withHeader(Map.of(), "x:y", "x"));
    rejects("headers", () -> Validate.withHeader(Map.of(), "X-Ok", "line\r\nbreak"));
  }

  private static void rejects(String field, Executable call) {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, call);
    assertTrue(error.getMessage().startsWith(field + ":"), error.getMessage());
  }
}
