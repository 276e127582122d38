package dev.heartbeat.vertx;

import dev.heartbeat.transport.HandshakeInfo;
import dev.heartbeat.transport.RequestUris;
import dev.heartbeat.transport.Role;
import io.netty.handler.codec.http.HttpHeaders;
import io.vertx.core.MultiMap;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Builds the core's {@link HandshakeInfo} from what Vert.x reports of a handshake. */
final class Handshakes {

  private static final RequestUris URIS = new RequestUris();

  private Handshakes() {}

  /** What a server knows of a handshake; {@code subprotocol} is null before the upgrade. */
  static HandshakeInfo server(@Nullable String scheme, @Nullable HostAndPort authority, String uri,
      @Nullable SocketAddress local, @Nullable MultiMap headers, @Nullable String subprotocol,
      @Nullable SocketAddress remote) {
    return new HandshakeInfo(Role.SERVER, requestUri(scheme, authority, uri, local), lowerCase(headers),
        subprotocol, inet(remote));
  }

  /** The request headers, names lower-cased, values in order. */
  static Map<String, List<String>> lowerCase(@Nullable MultiMap headers) {
    if (headers instanceof HttpHeaders netty) {
      // Vert.x's request headers are Netty's: read as CharSequences, their AsciiString names do
      // not each keep a String copy for the life of the connection.
      Iterable<Map.Entry<CharSequence, CharSequence>> pairs = netty::iteratorCharSequence;
      return HandshakeInfo.headersOf(pairs);
    }
    return headers == null ? Map.of() : HandshakeInfo.headersOf(headers);
  }

  /** {@code headers} with names lower-cased: the values of names that differ only in case join. */
  static Map<String, List<String>> lowerCase(Map<String, List<String>> headers) {
    List<Map.Entry<String, String>> pairs = headers.entrySet().stream()
        .flatMap(header -> header.getValue().stream().map(value -> Map.entry(header.getKey(), value)))
        .toList();
    return HandshakeInfo.headersOf(pairs);
  }

  static @Nullable InetSocketAddress inet(@Nullable SocketAddress address) {
    if (address == null || address.hostAddress() == null) {
      return null; // a domain socket
    }
    return new InetSocketAddress(address.hostAddress(), address.port()); // an IP literal: no lookup
  }

  private static URI requestUri(@Nullable String scheme, @Nullable HostAndPort authority, String uri,
      @Nullable SocketAddress local) {
    String ws = "https".equalsIgnoreCase(scheme) ? "wss" : "ws";
    String host;
    int port;
    if (authority != null) {
      host = authority.host();
      port = authority.port();
    } else if (local != null && local.hostAddress() != null) {
      host = local.hostAddress();
      port = local.port();
    } else {
      host = "localhost";
      port = -1;
    }
    String hostPart = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    String text = ws + "://" + hostPart + (port >= 0 ? ":" + port : "") + uri;
    try {
      return URIS.parse(text);
    } catch (URISyntaxException malformed) {
      // A request line a lenient parser let through: keep what can be kept.
      int query = uri.indexOf('?');
      try {
        return new URI(ws, null, host, port, query < 0 ? uri : uri.substring(0, query),
            query < 0 ? null : uri.substring(query + 1), null);
      } catch (URISyntaxException stillMalformed) {
        return URI.create(ws + "://" + hostPart + (port >= 0 ? ":" + port : "") + "/");
      }
    }
  }
}
