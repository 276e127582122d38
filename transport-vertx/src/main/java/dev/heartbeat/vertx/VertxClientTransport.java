package dev.heartbeat.vertx;

import dev.heartbeat.ConnectTimeoutException;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.transport.ClientTransport;
import dev.heartbeat.transport.HandshakeInfo;
import dev.heartbeat.transport.Role;
import dev.heartbeat.transport.WebSocketConnection;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.http.ClientWebSocketInternal;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Opens WebSockets to one URI with a Vert.x 5 {@link WebSocketClient}, which it creates and
 * keeps for its whole life (Vert.x closes clients nobody references); every connection it opens
 * references it too. {@link #close()} closes the client.
 *
 * <pre>{@code
 * VertxClientTransport transport = VertxClientTransport.create(vertx, URI.create("ws://127.0.0.1:8080/ws"));
 * ReconnectingSession session = ReconnectingSession.builder(transport)
 *     .decorator(Heartbeat.operator(policy))
 *     .build();
 * }</pre>
 *
 * <p>Each {@link #connect()} opens a new WebSocket on this transport's context (the verticle's
 * when created in one, else one event-loop context of its own), so its connections share one
 * heartbeat sweep. It fails with Vert.x's error when the connect or the handshake fails (an
 * {@code UpgradeRejectedException} carries a rejected handshake's status) and with
 * {@link ConnectTimeoutException} past the connect timeout; a handshake still pending then is
 * dropped by Vert.x at the same timeout, and one that completes after its {@code Mono} was
 * cancelled is closed at once, so an abandoned attempt never keeps a pool slot.
 */
public final class VertxClientTransport implements ClientTransport {

  private final URI uri;
  private final VertxWebSocketOptions options;
  private final WebSocketClient client;
  private final ContextInternal context;
  private final ContextScheduler scheduler;
  private final String host;
  private final int port;
  private final boolean ssl;
  private final String requestUri;
  private final Map<String, List<String>> handshakeHeaders;

  private VertxClientTransport(Vertx vertx, URI uri, VertxWebSocketOptions options) {
    this.uri = uri;
    this.options = options;
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("ws") && !scheme.equals("wss")) {
      throw new IllegalArgumentException("uri: the scheme must be ws or wss, got " + uri);
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("uri: no host in " + uri);
    }
    this.ssl = scheme.equals("wss");
    this.host = uri.getHost();
    this.port = uri.getPort() >= 0 ? uri.getPort() : ssl ? 443 : 80;
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    this.requestUri = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    this.handshakeHeaders = Handshakes.lowerCase(options.headers());
    this.context = ((ContextInternal) vertx.getOrCreateContext()).unwrap();
    this.scheduler = ContextScheduler.of(context);
    this.client = vertx.createWebSocketClient(options.toClientOptions());
  }

  /** A client of {@code uri} ({@code ws://} or {@code wss://}) with the default options. */
  public static VertxClientTransport create(Vertx vertx, URI uri) {
    return create(vertx, uri, VertxWebSocketOptions.defaults());
  }

  /** A client of {@code uri} ({@code ws://} or {@code wss://}) with {@code options}. */
  public static VertxClientTransport create(Vertx vertx, URI uri, VertxWebSocketOptions options) {
    return new VertxClientTransport(Objects.requireNonNull(vertx, "vertx"), Objects.requireNonNull(uri, "uri"),
        Objects.requireNonNull(options, "options"));
  }

  /** The URI it connects to. */
  public URI uri() {
    return uri;
  }

  /** Opens one WebSocket per subscription; see the class description for how it fails. */
  @Override
  public Mono<WebSocketConnection> connect() {
    Duration timeout = options.connectTimeout();
    return Mono.defer(() -> {
      Attempt attempt = new Attempt();
      return Mono.<WebSocketConnection>create(sink -> {
            sink.onCancel(attempt::cancel);
            context.runOnContext(ignored -> attempt.start(sink));
          })
          .doOnNext(attempt::delivered);
    }).timeout(timeout, Mono.error(() -> ConnectTimeoutException.after(timeout)), scheduler);
  }

  /** Closes the Vert.x client and, with it, every WebSocket it opened. */
  public Mono<Void> close() {
    return Mono.fromCompletionStage(() -> client.close().toCompletionStage());
  }

  @Override
  public String toString() {
    return "VertxClientTransport[" + uri + "]";
  }

  private WebSocketConnectOptions connectOptions() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    options.headers().forEach((name, values) -> values.forEach(value -> headers.add(name, value)));
    return new WebSocketConnectOptions()
        .setHost(host)
        .setPort(port)
        .setSsl(ssl)
        .setURI(requestUri)
        .setHeaders(headers)
        .setSubProtocols(options.subprotocols().isEmpty() ? null : options.subprotocols())
        // The handshake's own timeout: Vert.x drops the socket when it passes.
        .setTimeout(options.connectTimeout().toMillis());
  }

  /**
   * One connect: hands the connection to its {@code Mono}, or closes it when the {@code Mono}
   * was cancelled first, whichever way the two race.
   */
  private final class Attempt {
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final AtomicReference<@Nullable VertxWebSocketConnection> undelivered = new AtomicReference<>();

    /** On the context. */
    void start(reactor.core.publisher.MonoSink<WebSocketConnection> sink) {
      if (cancelled.get()) {
        return;
      }
      ClientWebSocket ws = client.webSocket();
      VertxWebSocketConnection connection =
          VertxWebSocketConnection.connecting(ws, context, options, VertxClientTransport.this);
      ((ClientWebSocketInternal) ws).connect(context, connectOptions()).onComplete(result -> {
        if (result.failed()) {
          sink.error(result.cause());
          return;
        }
        connection.opened(new HandshakeInfo(Role.CLIENT, uri, handshakeHeaders, ws.subProtocol(),
            Handshakes.inet(ws.remoteAddress())));
        undelivered.set(connection);
        sink.success(connection);
        if (cancelled.get()) {
          abandon();
        }
      });
    }

    void delivered(WebSocketConnection connection) {
      undelivered.set(null);
    }

    void cancel() {
      cancelled.set(true);
      abandon();
    }

    private void abandon() {
      VertxWebSocketConnection connection = undelivered.getAndSet(null);
      if (connection != null) {
        connection.close(CloseStatus.NORMAL).subscribe(null, error -> { });
      }
    }
  }
}
