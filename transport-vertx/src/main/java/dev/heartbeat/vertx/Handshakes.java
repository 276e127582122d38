package dev.heartbeat.vertx;

import dev.heartbeat.transport.HandshakeInfo;
import dev.heartbeat.transport.Role;
import io.vertx.core.MultiMap;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Builds the core's {@link HandshakeInfo} from what Vert.x reports of a handshake. */
final class Handshakes {

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
    Map<String, List<String>> map = new LinkedHashMap<>();
    if (headers != null) {
      for (Map.Entry<String, String> header : headers) {
        map.computeIfAbsent(header.getKey().toLowerCase(Locale.ROOT), name -> new ArrayList<>()).add(header.getValue());
      }
    }
    return map;
  }

  /** {@code headers} with names lower-cased. */
  static Map<String, List<String>> lowerCase(Map<String, List<String>> headers) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    headers.forEach((name, values) ->
        map.computeIfAbsent(name.toLowerCase(Locale.ROOT), key -> new ArrayList<>()).addAll(values));
    return map;
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
      return new URI(text);
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
