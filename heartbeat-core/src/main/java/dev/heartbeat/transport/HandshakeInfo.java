package dev.heartbeat.transport;

import java.net.InetSocketAddress;
import java.net.URI;
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
   * {@code headers} with every list of values copied too: the record is immutable all the way
   * down, and a server keeps one of these per connection, so the lists are the compact
   * immutable ones ({@code List.of}: 16 bytes for one value) rather than the transport's
   * {@code ArrayList}s (80 bytes each and up).
   */
  @SuppressWarnings("unchecked")
  private static Map<String, List<String>> immutable(Map<String, List<String>> headers) {
    Map.Entry<String, List<String>>[] entries = new Map.Entry[headers.size()];
    int i = 0;
    for (Map.Entry<String, List<String>> header : headers.entrySet()) {
      entries[i++] = Map.entry(header.getKey(), List.copyOf(header.getValue()));
    }
    return Map.ofEntries(entries);
  }

  /** A handshake with no headers, no subprotocol and no address: in-memory connections. */
  public static HandshakeInfo of(Role role, URI uri) {
    return new HandshakeInfo(role, uri, Map.of(), null, null);
  }

  /** The first value of header {@code name} (any case), or {@code null}. */
  public @Nullable String header(String name) {
    List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
