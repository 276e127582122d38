package dev.heartbeat.netty;

import dev.heartbeat.ConnectTimeoutException;
import dev.heartbeat.transport.ClientTransport;
import dev.heartbeat.transport.HandshakeInfo;
import dev.heartbeat.transport.Role;
import dev.heartbeat.transport.WebSocketConnection;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.netty.Connection;
import reactor.netty.NettyPipeline;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientRequest;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * Connects to a {@code ws://} or {@code wss://} URI with Reactor Netty's {@link HttpClient}. Each
 * subscription to {@link #connect()} opens a new connection, so it is what a
 * {@link dev.heartbeat.reconnect.ReconnectingSession} re-subscribes for every attempt. Immutable.
 *
 * <pre>{@code
 * NettyClientTransport transport = NettyClientTransport.create(URI.create("wss://example.com/ws"),
 *     NettyWebSocketSpec.builder().header("Authorization", "Bearer " + token).subprotocols("chat.v1").build());
 * ReconnectingSession session = ReconnectingSession.builder(transport)
 *     .decorator(Heartbeat.operator(policy))
 *     .build();
 * }</pre>
 *
 * <p>{@code connect()} errors when the connect, the TLS handshake or the opening handshake fails
 * (a {@link java.net.ConnectException}, a Netty {@code WebSocketClientHandshakeException} for an
 * answer other than 101), and with {@link ConnectTimeoutException} when they take longer than
 * the spec's {@link NettyWebSocketSpec#connectTimeout() connectTimeout} (a server that accepts
 * TCP but never answers); the socket is then closed. Cancelling it closes the socket too. One
 * attempt per subscription: Reactor Netty's own retry is off. By default the spec is
 * {@link NettyWebSocketSpec#defaults()}, and {@code wss://} uses the JDK's default trust store.
 */
public final class NettyClientTransport implements ClientTransport {

  private final HttpClient client;
  private final URI uri;
  private final NettyWebSocketSpec spec;
  private final WebsocketClientSpec websocket;

  private NettyClientTransport(HttpClient client, URI uri, NettyWebSocketSpec spec) {
    this.client = client;
    this.uri = uri;
    this.spec = spec;
    WebsocketClientSpec.Builder builder = WebsocketClientSpec.builder()
        .handlePing(true)
        .maxFramePayloadLength(spec.maxFramePayloadLength())
        .compress(spec.compress());
    if (!spec.subprotocols().isEmpty()) {
      builder = builder.protocols(String.join(",", spec.subprotocols()));
    }
    this.websocket = builder.build();
  }

  /** A client of {@code uri} ({@code ws://} or {@code wss://}) with the default spec. */
  public static NettyClientTransport create(URI uri) {
    return create(uri, NettyWebSocketSpec.defaults());
  }

  /** A client of {@code uri} ({@code ws://} or {@code wss://}) with {@code spec}. */
  public static NettyClientTransport create(URI uri, NettyWebSocketSpec spec) {
    return create(HttpClient.newConnection(), uri, spec);
  }

  /**
   * A client of {@code uri} on an {@link HttpClient} the application configured (TLS, proxy,
   * event loops, metrics). The spec's headers are added to the client's own.
   */
  public static NettyClientTransport create(HttpClient client, URI uri, NettyWebSocketSpec spec) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(spec, "spec");
    return new NettyClientTransport(client, checkUri(uri), spec);
  }

  /** The URI it connects to. */
  public URI uri() {
    return uri;
  }

  /** The spec. */
  public NettyWebSocketSpec spec() {
    return spec;
  }

  @Override
  public Mono<WebSocketConnection> connect() {
    return Mono.defer(() -> {
      // Per attempt, so that a timed-out or cancelled attempt closes its own socket.
      AtomicReference<@Nullable Connection> attempt = new AtomicReference<>();
      int maxLength = spec.maxFramePayloadLength();
      HttpClient configured = client
          .disableRetry(true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, spec.connectTimeout().toMillis()))
          .headers(headers -> spec.headers().forEach((name, values) -> values.forEach(value -> headers.add(name, value))))
          .doOnConnected(connection -> {
            attempt.set(connection);
            // In place before the handshake completes, so no fragment can get past it.
            connection.addHandlerLast(NettyPipeline.WsFrameAggregator, new WebSocketFrameAggregator(maxLength));
          });
      return configured.websocket(websocket)
          .uri(uri)
          .connect()
          .map(this::wrap)
          .doFinally(signal -> {
            if (signal != SignalType.ON_COMPLETE) {
              Connection connection = attempt.get();
              if (connection != null) {
                connection.dispose();
              }
            }
          })
          .timeout(spec.connectTimeout(), Mono.error(() -> ConnectTimeoutException.after(spec.connectTimeout())));
    });
  }

  private WebSocketConnection wrap(Connection connection) {
    if (!(connection instanceof WebsocketInbound in) || !(connection instanceof WebsocketOutbound out)) {
      connection.dispose();
      throw new IllegalStateException("Reactor Netty did not hand over a WebSocket: " + connection);
    }
    Map<String, List<String>> headers = connection instanceof HttpClientRequest request
        ? NettyWebSocketConnection.headers(request.requestHeaders())
        : Map.of();
    SocketAddress remote = connection.channel().remoteAddress();
    HandshakeInfo info = new HandshakeInfo(Role.CLIENT, uri, headers, out.selectedSubprotocol(),
        remote instanceof InetSocketAddress inet ? inet : null);
    return NettyWebSocketConnection.wrap(in, out, info, spec);
  }

  private static URI checkUri(URI uri) {
    Objects.requireNonNull(uri, "uri");
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("ws") && !scheme.equals("wss")) {
      throw new IllegalArgumentException("uri: must be ws:// or wss://, got " + uri);
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("uri: must name a host, got " + uri);
    }
    if (uri.getFragment() != null) {
      throw new IllegalArgumentException("uri: must have no fragment, got " + uri);
    }
    return uri;
  }

  @Override
  public String toString() {
    return "NettyClientTransport[" + uri + ", " + spec + "]";
  }
}
