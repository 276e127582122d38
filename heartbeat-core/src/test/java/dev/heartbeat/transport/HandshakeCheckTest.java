package dev.heartbeat.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class HandshakeCheckTest {

  private static HandshakeInfo request(String uri, Map<String, List<String>> headers) {
    return new HandshakeInfo(Role.SERVER, URI.create(uri), headers, null, null);
  }

  private static HandshakeInfo withOrigin(String origin) {
    return request("ws://chat.example.com/ws", Map.of("origin", List.of(origin)));
  }

  private static HandshakeDecision decide(HandshakeCheck check, HandshakeInfo request) {
    return check.check(request).block();
  }

  @Test
  void onlyExactOriginsPassLookalikesGet403() {
    HandshakeCheck check = HandshakeCheck.allowOrigins(List.of("https://chat.example.com", "http://localhost:8080"));
    assertTrue(decide(check, withOrigin("https://chat.example.com")).accepted());
    assertTrue(decide(check, withOrigin("HTTPS://Chat.Example.com")).accepted(), "scheme and host are case-insensitive");
    assertTrue(decide(check, withOrigin("http://localhost:8080")).accepted());
    for (String forged : List.of("https://chat.example.com.evil.io", "https://evil-chat.example.com", "https://evilchat.example.com",
        "http://chat.example.com", "https://chat.example.com:8443", "http://localhost:8081", "http://localhost", "null", "")) {
      HandshakeDecision decision = decide(check, withOrigin(forged));
      assertEquals(403, decision.status(), forged);
      assertTrue(!decision.accepted(), forged);
    }
  }

  @Test
  void aMissingOriginIsANonBrowserClientUnlessOriginsAreRequired() {
    HandshakeInfo noOrigin = request("ws://chat.example.com/ws", Map.of());
    assertTrue(decide(HandshakeCheck.allowOrigins(List.of("https://chat.example.com")), noOrigin).accepted());
    assertEquals(403, decide(HandshakeCheck.requireOrigin(List.of("https://chat.example.com")), noOrigin).status());
  }

  @Test
  void originsThatAreNotOriginsFailAtConfiguration() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> HandshakeCheck.allowOrigins(List.of("https://x.com/path")))
        .getMessage().startsWith("origins:"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> HandshakeCheck.allowOrigins(List.of()))
        .getMessage().startsWith("origins:"));
  }

  @Test
  void bearerTokensAreCheckedBeforeTheUpgrade() {
    HandshakeCheck check = HandshakeCheck.bearerToken(token -> Mono.just(token.equals("good")));
    assertEquals(401, decide(check, request("ws://h/ws", Map.of())).status(), "no credentials: 401");
    assertEquals(403, decide(check, request("ws://h/ws", Map.of("authorization", List.of("Bearer bad")))).status());
    assertTrue(decide(check, request("ws://h/ws", Map.of("authorization", List.of("Bearer good")))).accepted());
    assertTrue(decide(check, request("ws://h/ws?access_token=good", Map.of())).accepted(), "browsers send it in the query");
    assertEquals(403, decide(HandshakeCheck.bearerToken(token -> Mono.error(new IllegalStateException("down"))),
        request("ws://h/ws?access_token=x", Map.of())).status(), "a failing verifier refuses");
  }

  @Test
  void checksComposeAndTheFirstRejectionWins() {
    HandshakeCheck check = HandshakeCheck.allowOrigins(List.of("https://a.com"))
        .and(HandshakeCheck.bearerToken(token -> Mono.just(true)));
    HandshakeInfo forgedWithToken = request("ws://h/ws?access_token=t", Map.of("origin", List.of("https://b.com")));
    assertEquals(403, decide(check, forgedWithToken).status());
    HandshakeInfo rightOriginNoToken = request("ws://h/ws", Map.of("origin", List.of("https://a.com")));
    assertEquals(401, decide(check, rightOriginNoToken).status());
    assertTrue(decide(HandshakeCheck.acceptAll(), rightOriginNoToken).accepted());
  }

  @Test
  void aRejectionCarriesAnErrorStatus() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> HandshakeDecision.reject(200, "ok"))
        .getMessage().startsWith("status:"));
  }
}
