package dev.heartbeat.transport;

import java.net.URI;
import java.util.Collection;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Decides, before the upgrade, whether a WebSocket handshake may proceed: server transports
 * call it with the request (URI, headers, remote address) and answer a rejection with its
 * HTTP status, never with a 101. Checks compose with {@link #and(HandshakeCheck)}: the first
 * rejection wins.
 *
 * <pre>{@code
 * HandshakeCheck check = HandshakeCheck.allowOrigins(List.of("https://chat.example.com"))
 *     .and(HandshakeCheck.bearerToken(token -> tokens.isValid(token)));
 * }</pre>
 */
@FunctionalInterface
public interface HandshakeCheck {

  /** The decision for {@code request}; it must not block (return a {@code Mono} for I/O). */
  Mono<HandshakeDecision> check(HandshakeInfo request);

  /** Accepts everything: the default of every server transport. */
  static HandshakeCheck acceptAll() {
    return request -> Mono.just(HandshakeDecision.accept());
  }

  /** This check, then {@code next} if this one accepted. */
  default HandshakeCheck and(HandshakeCheck next) {
    Objects.requireNonNull(next, "next");
    return request -> check(request).flatMap(d -> d.accepted() ? next.check(request) : Mono.just(d));
  }

  /**
   * Accepts only browsers whose {@code Origin} is exactly one of {@code origins}
   * ({@code scheme://host[:port]}, compared without regard to case), against cross-site
   * WebSocket hijacking: a lookalike ({@code https://example.com.evil.io}, another scheme or
   * port, {@code null}) gets 403. A request without an {@code Origin} header comes from a
   * non-browser client and is accepted; use {@link #requireOrigin(Collection)} to refuse it too.
   */
  static HandshakeCheck allowOrigins(Collection<String> origins) {
    return origins(origins, false);
  }

  /** Like {@link #allowOrigins(Collection)}, but a request without {@code Origin} gets 403 too. */
  static HandshakeCheck requireOrigin(Collection<String> origins) {
    return origins(origins, true);
  }

  private static HandshakeCheck origins(Collection<String> origins, boolean required) {
    Objects.requireNonNull(origins, "origins");
    Set<String> allowed = origins.stream().map(HandshakeCheck::normalizeOrigin).collect(Collectors.toUnmodifiableSet());
    if (allowed.isEmpty()) {
      throw new IllegalArgumentException("origins: at least one origin must be allowed");
    }
    return request -> {
      String origin = request.header("origin");
      if (origin == null) {
        return Mono.just(required ? HandshakeDecision.reject(403, "origin required") : HandshakeDecision.accept());
      }
      return Mono.just(allowed.contains(origin.trim().toLowerCase(Locale.ROOT))
          ? HandshakeDecision.accept()
          : HandshakeDecision.reject(403, "origin not allowed"));
    };
  }

  private static String normalizeOrigin(String origin) {
    Objects.requireNonNull(origin, "origins");
    URI uri = URI.create(origin.trim());
    if (uri.getScheme() == null || uri.getHost() == null || (uri.getPath() != null && !uri.getPath().isEmpty())
        || uri.getQuery() != null || uri.getFragment() != null || uri.getUserInfo() != null) {
      throw new IllegalArgumentException("origins: '" + origin + "' is not an origin (scheme://host[:port])");
    }
    return origin.trim().toLowerCase(Locale.ROOT);
  }

  /**
   * Authentication by bearer token, from the {@code Authorization: Bearer ...} header or, since
   * browsers cannot set headers on a WebSocket, the {@code access_token} query parameter: none
   * gets 401, one that {@code verifier} refuses (or fails on) gets 403.
   */
  static HandshakeCheck bearerToken(Function<String, Mono<Boolean>> verifier) {
    Objects.requireNonNull(verifier, "verifier");
    return request -> {
      String token = bearerTokenOf(request);
      if (token == null || token.isEmpty()) {
        return Mono.just(HandshakeDecision.reject(401, "authentication required"));
      }
      return Mono.defer(() -> verifier.apply(token))
          .map(ok -> ok ? HandshakeDecision.accept() : HandshakeDecision.reject(403, "invalid credentials"))
          .defaultIfEmpty(HandshakeDecision.reject(403, "invalid credentials"))
          .onErrorReturn(HandshakeDecision.reject(403, "invalid credentials"));
    };
  }

  /** The bearer token of {@code request}: the Authorization header's, else {@code access_token}'s. */
  static @Nullable String bearerTokenOf(HandshakeInfo request) {
    String header = request.header("authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    String query = request.uri().getRawQuery();
    if (query != null) {
      for (String pair : query.split("&")) {
        if (pair.startsWith("access_token=")) {
          return java.net.URLDecoder.decode(pair.substring("access_token=".length()), java.nio.charset.StandardCharsets.UTF_8);
        }
      }
    }
    return null;
  }
}
