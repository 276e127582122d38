package dev.heartbeat.netty;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.transport.HandshakeCheck;
import dev.heartbeat.transport.HandshakeDecision;
import dev.heartbeat.transport.HandshakeInfo;
import dev.heartbeat.transport.RequestUris;
import dev.heartbeat.transport.Role;
import dev.heartbeat.transport.ServerHandle;
import dev.heartbeat.transport.ServerTransport;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * A heartbeat WebSocket endpoint on a Reactor Netty {@link HttpServer}, with ordinary HTTP routes
 * beside it on the same port if wanted. Immutable: every setter returns a new transport.
 *
 * <p>A standalone server, in one line:
 * <pre>{@code
 * ServerHandle server = NettyServerTransport.create(8080)
 *     .start(Heartbeat.handler(policy, session -> session.send(session.receive())))
 *     .block();
 * }</pre>
 *
 * <p>With HTTP routes on the same port ({@code /ws} upgraded, the rest served as HTTP):
 * <pre>{@code
 * NettyServerTransport.create("0.0.0.0", 8080)
 *     .routes(r -> r.get("/health", (req, res) -> res.sendString(Mono.just("ok"))))
 *     .start(handler);
 * }</pre>
 *
 * <p>On a server the application configures and binds itself, mount the endpoint with
 * {@link #mount(HttpServerRoutes, SessionHandler, NettyWebSocketSpec)}.
 *
 * <p>By default the endpoint is at {@code /ws} with {@link NettyWebSocketSpec#defaults()}. Each
 * accepted connection runs its handler through {@link SessionHandler#serve}: closed with 1000
 * when the handler completes, 1011 when it fails. {@link ServerHandle#shutdown()} stops
 * accepting, closes every WebSocket with {@code 1001 going away}, waits for them (at most
 * {@link #SHUTDOWN_GRACE}), then closes every other connection and the server.
 */
public final class NettyServerTransport implements ServerTransport {

  /** How long {@link ServerHandle#shutdown()} waits for WebSockets to close before dropping them. */
  public static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

  private static final Consumer<HttpServerRoutes> NO_ROUTES = routes -> { };

  private final HttpServer server;
  private final NettyWebSocketSpec spec;
  private final HandshakeCheck check;
  private final Consumer<? super HttpServerRoutes> routes;

  private NettyServerTransport(HttpServer server, NettyWebSocketSpec spec, HandshakeCheck check,
      Consumer<? super HttpServerRoutes> routes) {
    this.server = server;
    this.spec = spec;
    this.check = check;
    this.routes = routes;
  }

  /** A server on {@code port} of every interface; 0 picks a free port (see {@link ServerHandle#port()}). */
  public static NettyServerTransport create(int port) {
    return create(HttpServer.create().port(checkPort(port)));
  }

  /** A server on {@code host} and {@code port}; 0 picks a free port. */
  public static NettyServerTransport create(String host, int port) {
    Objects.requireNonNull(host, "host");
    return create(HttpServer.create().host(host).port(checkPort(port)));
  }

  /**
   * A server that binds {@code server} as the application configured it (address, TLS, metrics,
   * event loops). Its own routes or handler are replaced: add HTTP routes with
   * {@link #routes(Consumer)}. Its {@code idleTimeout} becomes the spec's
   * {@link NettyWebSocketSpec#handshakeTimeout()}, and its channel group is this transport's.
   */
  public static NettyServerTransport create(HttpServer server) {
    return new NettyServerTransport(Objects.requireNonNull(server, "server"), NettyWebSocketSpec.defaults(),
        HandshakeCheck.acceptAll(), NO_ROUTES);
  }

  /** This transport with {@code spec}. By default {@link NettyWebSocketSpec#defaults()}. */
  public NettyServerTransport spec(NettyWebSocketSpec spec) {
    return new NettyServerTransport(server, Objects.requireNonNull(spec, "spec"), check, routes);
  }

  /** The spec. */
  public NettyWebSocketSpec spec() {
    return spec;
  }

  /**
   * This transport with {@code check} deciding each upgrade request before the upgrade: a
   * rejection is answered with its HTTP status and reason, never with a 101. By default
   * {@link HandshakeCheck#acceptAll()}.
   */
  public NettyServerTransport handshakeCheck(HandshakeCheck check) {
    return new NettyServerTransport(server, spec, Objects.requireNonNull(check, "check"), routes);
  }

  /**
   * This transport with ordinary HTTP routes beside the WebSocket endpoint, on the same port.
   * The endpoint's path wins over a route on the same path. By default none: every other path
   * answers 404.
   */
  public NettyServerTransport routes(Consumer<? super HttpServerRoutes> routes) {
    return new NettyServerTransport(server, spec, check, Objects.requireNonNull(routes, "routes"));
  }

  @Override
  public Mono<ServerHandle> start(SessionHandler<WebSocketConnection> handler) {
    Objects.requireNonNull(handler, "handler");
    return Mono.defer(() -> {
      ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
      Registry registry = new Registry();
      Endpoint endpoint = new Endpoint(handler, spec, check, registry);
      return server.channelGroup(channels)
          .idleTimeout(spec.handshakeTimeout())
          .route(r -> {
            endpoint.mount(r);
            routes.accept(r);
          })
          .bind()
          .map(bound -> new NettyServer(bound, channels, registry));
    });
  }

  /**
   * Mounts the endpoint at {@code spec.path()} on routes of a server the application binds
   * itself, and returns {@code routes} for more. Closing the connections on shutdown is then the
   * application's to do; so is the server's {@code idleTimeout}.
   *
   * <pre>{@code
   * HttpServer.create().port(8080)
   *     .route(routes -> NettyServerTransport.mount(routes, handler, spec)
   *         .get("/health", (req, res) -> res.sendString(Mono.just("ok"))))
   *     .bindNow();
   * }</pre>
   */
  public static HttpServerRoutes mount(
      HttpServerRoutes routes, SessionHandler<WebSocketConnection> handler, NettyWebSocketSpec spec) {
    return mount(routes, handler, spec, HandshakeCheck.acceptAll());
  }

  /** As {@link #mount(HttpServerRoutes, SessionHandler, NettyWebSocketSpec)}, with a handshake check. */
  public static HttpServerRoutes mount(HttpServerRoutes routes, SessionHandler<WebSocketConnection> handler,
      NettyWebSocketSpec spec, HandshakeCheck check) {
    Objects.requireNonNull(routes, "routes");
    return new Endpoint(Objects.requireNonNull(handler, "handler"), Objects.requireNonNull(spec, "spec"),
        Objects.requireNonNull(check, "check"), null).mount(routes);
  }

  /** One mounted endpoint: what it runs, how it upgrades, and where its connections are kept. */
  private static final class Endpoint {
    private final SessionHandler<WebSocketConnection> handler;
    private final NettyWebSocketSpec spec;
    private final HandshakeCheck check;
    private final @Nullable Registry registry;
    private final WebsocketServerSpec websocket;

    Endpoint(SessionHandler<WebSocketConnection> handler, NettyWebSocketSpec spec, HandshakeCheck check,
        @Nullable Registry registry) {
      this.handler = handler;
      this.spec = spec;
      this.check = check;
      this.registry = registry;
      this.websocket = serverSpec(spec);
    }

    HttpServerRoutes mount(HttpServerRoutes routes) {
      return routes.get(spec.path(), this::upgrade);
    }

    private Publisher<Void> upgrade(HttpServerRequest req, HttpServerResponse res) {
      if (!req.requestHeaders().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
        return res.status(HttpResponseStatus.UPGRADE_REQUIRED)
            .header(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET)
            .sendString(Mono.just("This endpoint speaks WebSocket only.\n"));
      }
      if (!spec.subprotocols().isEmpty() && !offersAny(req, spec.subprotocols())) {
        // Reactor Netty would upgrade and then never run the handler: refuse the upgrade instead.
        return reject(res, HandshakeDecision.reject(400, "offer one of the subprotocols " + spec.subprotocols()));
      }
      URI uri = requestUri(req);
      Map<String, List<String>> headers = NettyWebSocketConnection.headers(req.requestHeaders());
      InetSocketAddress remote = req.remoteAddress();
      HandshakeInfo request = new HandshakeInfo(Role.SERVER, uri, headers, null, remote);
      return Mono.defer(() -> check.check(request))
          .defaultIfEmpty(HandshakeDecision.reject(403, "handshake refused"))
          .onErrorResume(error -> Mono.just(HandshakeDecision.reject(500, "handshake check failed")))
          .flatMap(decision -> decision.accepted() ? accept(req, res, request) : reject(res, decision));
    }

    private Mono<Void> accept(HttpServerRequest req, HttpServerResponse res, HandshakeInfo request) {
      if (registry != null && !registry.upgrading()) {
        return reject(res, HandshakeDecision.reject(503, "shutting down"));
      }
      return res.sendWebsocket((in, out) -> {
        in.aggregateFrames(spec.maxFramePayloadLength());
        HandshakeInfo info = new HandshakeInfo(Role.SERVER, request.uri(), request.headers(),
            out.selectedSubprotocol(), request.remoteAddress());
        NettyWebSocketConnection connection =
            NettyWebSocketConnection.wrap(in, out, info, spec);
        if (registry != null && !registry.add(connection)) {
          return connection.close(CloseStatus.GOING_AWAY); // the server began shutting down meanwhile
        }
        // Completes only once the connection is closed, so Reactor Netty's own close (1000, sent
        // when this publisher completes) never goes out in place of the connection's status.
        return SessionHandler.serve(connection, handler);
      }, websocket).doFinally(signal -> {
        if (registry != null) {
          registry.upgraded();
        }
      });
    }

    private static Mono<Void> reject(HttpServerResponse res, HandshakeDecision decision) {
      return res.status(decision.status()).sendString(Mono.just(decision.reason() + "\n")).then();
    }
  }

  private static boolean offersAny(HttpServerRequest req, List<String> accepted) {
    for (String header : req.requestHeaders().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)) {
      if (Arrays.stream(header.split(",")).map(String::trim).anyMatch(accepted::contains)) {
        return true;
      }
    }
    return false;
  }

  private static final RequestUris URIS = new RequestUris();

  private static URI requestUri(HttpServerRequest req) {
    String scheme = "https".equalsIgnoreCase(req.scheme()) || "wss".equalsIgnoreCase(req.scheme()) ? "wss" : "ws";
    String host = req.requestHeaders().get(HttpHeaderNames.HOST);
    if (host == null || host.isEmpty()) {
      host = req.hostName() + ":" + req.hostPort();
    }
    try {
      return URIS.parse(scheme + "://" + host + req.uri());
    } catch (URISyntaxException malformed) {
      return URI.create(scheme + "://" + req.hostName() + ":" + req.hostPort() + "/");
    }
  }

  static WebsocketServerSpec serverSpec(NettyWebSocketSpec spec) {
    WebsocketServerSpec.Builder builder = WebsocketServerSpec.builder()
        .handlePing(true)
        .maxFramePayloadLength(spec.maxFramePayloadLength())
        .compress(spec.compress());
    if (!spec.subprotocols().isEmpty()) {
      builder = builder.protocols(String.join(",", spec.subprotocols()));
    }
    return builder.build();
  }

  private static int checkPort(int port) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port: must be in 0-65535, got " + port);
    }
    return port;
  }

  @Override
  public String toString() {
    return "NettyServerTransport[" + spec + "]";
  }

  /**
   * The WebSockets of one server, for shutdown: the open ones, and how many upgrades are under
   * way (a client may already hold its connection while the server has not yet run the handler).
   */
  static final class Registry {
    private final Set<NettyWebSocketConnection> open = ConcurrentHashMap.newKeySet();
    private final Sinks.Empty<Void> noUpgrades = Sinks.empty();
    private int upgrading; // guarded by this
    private boolean closed; // guarded by this

    /** An upgrade begins; false once the server is shutting down. */
    synchronized boolean upgrading() {
      if (closed) {
        return false;
      }
      upgrading++;
      return true;
    }

    /** An upgrade ended, with a connection or without. */
    void upgraded() {
      boolean last;
      synchronized (this) {
        last = --upgrading == 0 && closed;
      }
      if (last) {
        noUpgrades.tryEmitEmpty();
      }
    }

    /** Adds {@code connection} until it closes; false once the server is shutting down. */
    boolean add(NettyWebSocketConnection connection) {
      open.add(connection);
      connection.whenClosed(status -> open.remove(connection));
      synchronized (this) {
        return !closed;
      }
    }

    /** Refuses new upgrades; completes once those under way have ended. */
    Mono<Void> close() {
      boolean none;
      synchronized (this) {
        closed = true;
        none = upgrading == 0;
      }
      if (none) {
        noUpgrades.tryEmitEmpty();
      }
      return noUpgrades.asMono();
    }

    List<NettyWebSocketConnection> snapshot() {
      return List.copyOf(open);
    }
  }

  /** A bound server. */
  static final class NettyServer implements ServerHandle {
    private final DisposableServer bound;
    private final ChannelGroup channels;
    private final Registry registry;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Sinks.Empty<Void> stopped = Sinks.empty();

    NettyServer(DisposableServer bound, ChannelGroup channels, Registry registry) {
      this.bound = bound;
      this.channels = channels;
      this.registry = registry;
    }

    @Override
    public int port() {
      return bound.port();
    }

    /** The open WebSocket connections. */
    List<NettyWebSocketConnection> connections() {
      return registry.snapshot();
    }

    @Override
    public Mono<Void> stopAccepting() {
      return Mono.defer(() -> {
        bound.dispose();
        return bound.onDispose().onErrorResume(error -> Mono.empty());
      });
    }

    @Override
    public Mono<Void> shutdown() {
      return Mono.defer(() -> {
        if (!stopping.compareAndSet(false, true)) {
          return stopped.asMono();
        }
        // Once the listening socket is closed, and only then, the connections hear 1001: a
        // client that reconnects at once finds the port closed and waits out its backoff,
        // instead of being refused by a server on its way out.
        return stopAccepting()
            .then(registry.close())
            .thenMany(Flux.defer(() -> Flux.fromIterable(registry.snapshot())))
            .flatMap(connection -> connection.close(CloseStatus.GOING_AWAY).onErrorResume(error -> Mono.empty()))
            .then()
            .timeout(SHUTDOWN_GRACE, Mono.empty())
            .then(Mono.defer(() -> completion(channels.close())))
            .doFinally(signal -> stopped.tryEmitEmpty());
      });
    }

    /**
     * Stops the server as a crash would: the listening socket and every connection are closed
     * at once, without close frames, so clients see 1006. For tests.
     */
    void kill() {
      stopping.set(true);
      registry.close().subscribe();
      bound.dispose();
      channels.close().awaitUninterruptibly();
      bound.onDispose().block(Duration.ofSeconds(10));
      stopped.tryEmitEmpty();
    }

    private static Mono<Void> completion(Future<?> future) {
      return Mono.create(sink -> future.addListener(f -> sink.success()));
    }

    @Override
    public String toString() {
      return "NettyServer[" + bound.address() + "]";
    }
  }
}
