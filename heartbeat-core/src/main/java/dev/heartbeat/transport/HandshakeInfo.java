package dev.heartbeat.transport;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the opening handshake established: which side this is, the request URI, the request
 * headers (names in lower case), the agreed subprotocol and the peer's address.
 *
 * @param role this side's role
 * @param uri the URI the client asked for
 * @param headers the handshake request headers, names lower-cased, values in order
 * @param subprotocol the subprotocol both sides agreed on, or {@code null}
 * @param remoteAddress the peer's address, or {@code null} when the transport has none (in-memory)
 */
public record HandshakeInfo(
    Role role,
    URI uri,
    Map<String, List<String>> headers,
    @Nullable String subprotocol,
    @Nullable InetSocketAddress remoteAddress) {

  public HandshakeInfo {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(uri, "uri");
    headers = immutable(Objects.requireNonNull(headers, "headers"));
  }

  /**
   * {@code headers} immutable all the way down: itself when it already is (what
   * {@link #headersOf} returns), else a compact copy ({@link HeaderMap}). A server keeps one of
   * these per connection.
   */
  private static Map<String, List<String>> immutable(Map<String, List<String>> headers) {
    if (headers instanceof HeaderMap) {
      return headers;
    }
    if (headers.isEmpty()) {
      return Map.of();
    }
    Object[] pairs = new Object[headers.size() * 2];
    int i = 0;
    for (Map.Entry<String, List<String>> header : headers.entrySet()) {
      List<String> values = header.getValue();
      pairs[i++] = Objects.requireNonNull(header.getKey(), "headers: a name");
      pairs[i++] = values.size() == 1 ? Objects.requireNonNull(values.get(0), "headers: a value") : List.copyOf(values);
    }
    return new HeaderMap(pairs);
  }

  /**
   * The headers of a handshake as this record holds them, from a transport's name-value pairs
   * in order: names lower-cased, the values of one name (in any case) in one list, all of it
   * immutable. Names are read as {@link CharSequence}s and the usual ones become shared
   * constants: a server keeps these for every connection, and asking Netty's {@code AsciiString}
   * names for a {@code String} makes each of them keep one, about 50 bytes a header.
   */
  public static Map<String, List<String>> headersOf(
      Iterable<? extends Map.Entry<? extends CharSequence, ? extends CharSequence>> pairs) {
    Map<String, List<String>> byName = new LinkedHashMap<>();
    for (Map.Entry<? extends CharSequence, ? extends CharSequence> pair : pairs) {
      byName.computeIfAbsent(HeaderNames.lowerCase(pair.getKey()), name -> new ArrayList<>(1))
          .add(pair.getValue().toString());
    }
    return immutable(byName);
  }

  /** A handshake with no headers, no subprotocol and no address: in-memory connections. */
  public static HandshakeInfo of(Role role, URI uri) {
    return new HandshakeInfo(role, uri, Map.of(), null, null);
  }

  /** The first value of header {@code name} (any case), or {@code null}. */
  public @Nullable String header(String name) {
    List<String> values = headers.get(HeaderNames.lowerCase(name));
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
