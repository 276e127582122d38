package dev.heartbeat.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** Checks shared by every builder, so that each rejects a bad value the same way, naming the field. */
public final class Validate {

  private Validate() {}

  /**
   * {@code value}, when it is positive and fits in a long of nanoseconds (every timer measures
   * in them).
   *
   * @throws IllegalArgumentException starting with {@code field + ":"} otherwise
   * @throws NullPointerException with message {@code field} for null
   */
  public static Duration positive(Duration value, String field) {
    Objects.requireNonNull(value, field);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(field + ": must be positive, got " + value);
    }
    try {
      value.toNanos();
    } catch (ArithmeticException tooLong) {
      throw new IllegalArgumentException(field + ": must fit in a long of nanoseconds (about 292 years), got " + value);
    }
    return value;
  }

  /**
   * A path an endpoint is mounted at: starts with {@code /}, no query or fragment (a request's
   * path never has them, so such a path would match nothing).
   *
   * @throws IllegalArgumentException starting with {@code "path:"} otherwise
   */
  public static String path(String path) {
    Objects.requireNonNull(path, "path");
    if (!path.startsWith("/") || path.contains("?") || path.contains("#")) {
      throw new IllegalArgumentException("path: must start with '/' and have no query or fragment, got \"" + path + "\"");
    }
    return path;
  }

  /**
   * WebSocket subprotocols in preference order: each an HTTP token (RFC 7230 §3.2.6, as RFC 6455
   * §4.1 asks), none twice.
   *
   * @throws IllegalArgumentException starting with {@code "subprotocols:"} otherwise
   */
  public static List<String> subprotocols(List<String> subprotocols) {
    Objects.requireNonNull(subprotocols, "subprotocols");
    List<String> checked = new ArrayList<>();
    for (String protocol : subprotocols) {
      Objects.requireNonNull(protocol, "subprotocols");
      if (!isToken(protocol)) {
        throw new IllegalArgumentException("subprotocols: \"" + protocol + "\" is not a token");
      }
      if (checked.contains(protocol)) {
        throw new IllegalArgumentException("subprotocols: \"" + protocol + "\" is listed twice");
      }
      checked.add(protocol);
    }
    return List.copyOf(checked);
  }

  /**
   * {@code headers} with one more value of the opening-handshake request header {@code name}:
   * values of one name add up, names compared ignoring case as HTTP does. The handshake's own
   * headers ({@code Upgrade}, {@code Connection}, {@code Host}, {@code Sec-WebSocket-*}) are
   * refused: the handshake sets them.
   *
   * @throws IllegalArgumentException starting with {@code "headers:"} for a name that is not a
   *     token or is the handshake's, or a value with a line break
   */
  public static Map<String, List<String>> withHeader(Map<String, List<String>> headers, String name, String value) {
    Objects.requireNonNull(name, "headers");
    Objects.requireNonNull(value, "headers");
    if (!isToken(name)) {
      throw new IllegalArgumentException("headers: \"" + name + "\" is not a header name");
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.equals("upgrade") || lower.equals("connection") || lower.equals("host") || lower.startsWith("sec-websocket-")) {
      throw new IllegalArgumentException("headers: \"" + name + "\" belongs to the handshake and is set by it");
    }
    if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("headers: the value of \"" + name + "\" contains a line break");
    }
    Map<String, List<String>> copy = new LinkedHashMap<>(headers);
    String key = copy.keySet().stream().filter(existing -> existing.equalsIgnoreCase(name)).findFirst().orElse(name);
    List<String> values = new ArrayList<>(copy.getOrDefault(key, List.of()));
    values.add(value);
    copy.put(key, List.copyOf(values));
    return Collections.unmodifiableMap(copy);
  }

  /** An HTTP token: one or more of the visible ASCII characters that are not separators. */
  private static boolean isToken(String text) {
    return !text.isEmpty() && text.chars().allMatch(c -> c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0);
  }
}
