package dev.heartbeat.server;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.transport.HandshakeInfo;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Which key (user, device, account) a connection belongs to, and whether a key may hold more
 * than one connection. With {@link #onePerKey}, a new connection for a key closes the older one
 * with 4500 once the new one is established, which clients treat as terminal: the usual "the
 * same user opened another browser tab" rule.
 *
 * <pre>{@code
 * SessionKeyPolicy.onePerKey(SessionKeyPolicy.queryParam("user"));
 * SessionKeyPolicy.onePerKey(SessionKeyPolicy.header("x-user-id")).supersededWith(CloseStatus.of(4501, "replaced"));
 * }</pre>
 */
public final class SessionKeyPolicy {

  private static final SessionKeyPolicy NONE = new SessionKeyPolicy(h -> null, false, CloseStatus.SUPERSEDED);

  private final Function<HandshakeInfo, @Nullable String> extractor;
  private final boolean onePerKey;
  private final CloseStatus superseded;

  private SessionKeyPolicy(Function<HandshakeInfo, @Nullable String> extractor, boolean onePerKey, CloseStatus superseded) {
    this.extractor = extractor;
    this.onePerKey = onePerKey;
    this.superseded = superseded;
  }

  /** No keys: every connection stands alone. The default. */
  public static SessionKeyPolicy none() {
    return NONE;
  }

  /** Keys from {@code extractor} (null: no key), any number of connections per key. */
  public static SessionKeyPolicy manyPerKey(Function<HandshakeInfo, @Nullable String> extractor) {
    return new SessionKeyPolicy(Objects.requireNonNull(extractor, "extractor"), false, CloseStatus.SUPERSEDED);
  }

  /**
   * Keys from {@code extractor} (null: no key, no takeover), one connection per key: a newer
   * one closes the older with {@link CloseStatus#SUPERSEDED 4500} by default.
   */
  public static SessionKeyPolicy onePerKey(Function<HandshakeInfo, @Nullable String> extractor) {
    return new SessionKeyPolicy(Objects.requireNonNull(extractor, "extractor"), true, CloseStatus.SUPERSEDED);
  }

  /** The same policy closing superseded connections with {@code status}; by default 4500. */
  public SessionKeyPolicy supersededWith(CloseStatus status) {
    Objects.requireNonNull(status, "supersededWith");
    if (!status.sendable()) {
      throw new IllegalArgumentException("supersededWith: " + status.code() + " may not be sent");
    }
    return new SessionKeyPolicy(extractor, onePerKey, status);
  }

  /** The key from handshake header {@code name} (any case). */
  public static Function<HandshakeInfo, @Nullable String> header(String name) {
    Objects.requireNonNull(name, "name");
    return handshake -> handshake.header(name);
  }

  /** The key from query parameter {@code name} of the handshake URI. */
  public static Function<HandshakeInfo, @Nullable String> queryParam(String name) {
    Objects.requireNonNull(name, "name");
    return handshake -> {
      String query = handshake.uri().getRawQuery();
      if (query == null) {
        return null;
      }
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        if (k.equals(name)) {
          return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        }
      }
      return null;
    };
  }

  /** The key of a connection with {@code handshake}, or null. */
  public @Nullable String keyOf(HandshakeInfo handshake) {
    return extractor.apply(handshake);
  }

  /** Whether a key holds at most one connection. */
  public boolean onePerKey() {
    return onePerKey;
  }

  /** The status an older connection is closed with when a newer one takes its key. */
  public CloseStatus superseded() {
    return superseded;
  }
}
