package dev.heartbeat.vertx;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.transport.ServerHandle;
import dev.heartbeat.transport.ServerTransport;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Accepts WebSockets on Vert.x 5, standalone or mounted on your own {@code HttpServer}.
 *
 * <p><b>Standalone</b>: {@link #create(Vertx, int)} listens on a port of its own; WebSockets are
 * upgraded at {@link VertxWebSocketOptions#path()} ({@code /ws} by default), other upgrade paths
 * get 404, and plain HTTP requests go to {@link #requestHandler(Handler)} (404 by default), so
 * ordinary routes share the port.
 *
 * <pre>{@code
 * ServerHandle server = VertxServerTransport.create(vertx, 8080)
 *     .start(Heartbeat.handler(policy, session -> session.send(session.receive())))
 *     .block();
 * }</pre>
 *
 * <p><b>Mounted</b>: {@link #webSocketHandler(SessionHandler, VertxWebSocketOptions)} gives the
 * handler to put on your server (or on a route of your Router); see {@link VertxWebSocketHandler}.
 *
 * <p>Every connection runs on the context Vert.x serves it on. A standalone server listens on
 * one event loop by default, as any {@code HttpServer} started outside a verticle does: its
 * connections, their heartbeat sweep and its plain HTTP requests share that thread.
 * {@link #eventLoops(int)} listens on several (Vert.x's server sharing: one {@code HttpServer}
 * per event-loop context, the same port, connections handed out in turn). Measured on 2 cores
 * (BENCHMARKS.md): 4 loops closed 1,000 dead peers within timeout + 73 ms where one loop took
 * up to + 185 ms, but echoed 11 % less and came back from a restart less evenly, so one stays
 * the default. A mounted handler runs where your servers run. Limits: see
 * {@link VertxWebSocketOptions}.
 *
 * <p><b>Memory.</b> Vert.x keeps a WebSocket's HTTP connection for the WebSocket's life, and by
 * default that connection holds a queue for writes from other threads (a 1,025-slot array):
 * about 4 KB per WebSocket. A standalone server writes every HTTP response of its own on the
 * connection's context, so it runs Vert.x's strict thread mode, without that queue, unless your
 * {@link #requestHandler(Handler) request handler} may respond from another thread; see
 * {@link #strictThreadMode(boolean)}.
 */
public final class VertxServerTransport implements ServerTransport {

  /** Negative port numbers, one per standalone start on "any free port" (see {@link #start}). */
  private static final AtomicInteger ANY_PORT_SHARED = new AtomicInteger();

  /** How long {@link ServerHandle#shutdown()} waits for WebSockets to close before Vert.x drops them. */
  public static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final String host;
  private final int port;
  private final VertxWebSocketOptions options;
  private final @Nullable Handler<HttpServerRequest> requests;
  private final int eventLoops;
  /** Set by {@link #strictThreadMode(boolean)}; when not, strict unless there is a request handler. */
  private final @Nullable Boolean strictThreadMode;

  private VertxServerTransport(Vertx vertx, String host, int port, VertxWebSocketOptions options,
      @Nullable Handler<HttpServerRequest> requests, int eventLoops, @Nullable Boolean strictThreadMode) {
    this.vertx = vertx;
    this.host = host;
    this.port = port;
    this.options = options;
    this.requests = requests;
    this.eventLoops = eventLoops;
    this.strictThreadMode = strictThreadMode;
  }

  /** A server on every interface at {@code port} (0 for any free one), with the default options. */
  public static VertxServerTransport create(Vertx vertx, int port) {
    return create(vertx, "0.0.0.0", port, VertxWebSocketOptions.defaults());
  }

  /** A server on {@code host} at {@code port} (0 for any free one) with {@code options}. */
  public static VertxServerTransport create(Vertx vertx, String host, int port, VertxWebSocketOptions options) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(options, "options");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port: must be 0-65535, got " + port);
    }
    return new VertxServerTransport(vertx, host, port, options, null, 1, null);
  }

  /**
   * This server with {@code requests} serving plain HTTP requests on the same port (health
   * checks, a REST API, a Vert.x Web {@code Router}); by default they get 404. It may write its
   * responses from any thread, unless you turn {@link #strictThreadMode(boolean)} on.
   */
  public VertxServerTransport requestHandler(Handler<HttpServerRequest> requests) {
    return new VertxServerTransport(vertx, host, port, options, Objects.requireNonNull(requests, "requests"), eventLoops,
        strictThreadMode);
  }

  /**
   * This server with Vert.x's strict thread mode ({@code HttpServerOptions.setStrictThreadMode})
   * on or off. On, every plain HTTP response must be written on the context its request came on
   * (Vert.x throws {@link IllegalStateException} otherwise), and a WebSocket's HTTP connection,
   * which Vert.x keeps as long as the WebSocket, goes without its queue for other threads'
   * writes: about 4 KB less per WebSocket. The WebSockets themselves keep theirs, in either
   * mode, so your code may still send on them from any thread. When not set, it is on unless a
   * {@link #requestHandler(Handler) request handler} is given; turn it on for one that responds
   * on its context, as Vert.x handlers do unless they hand the response to another thread.
   */
  public VertxServerTransport strictThreadMode(boolean strict) {
    return new VertxServerTransport(vertx, host, port, options, requests, eventLoops, strict);
  }

  /**
   * This server listening on {@code n} event loops (at least 1; by default 1), so that its
   * connections are spread over them; more than the Vert.x instance has wraps around them.
   */
  public VertxServerTransport eventLoops(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("eventLoops: must be at least 1, got " + n);
    }
    return new VertxServerTransport(vertx, host, port, options, requests, n, strictThreadMode);
  }

  /**
   * A handler that serves WebSockets with {@code handler} on a Vert.x server of your own; see
   * {@link VertxWebSocketHandler} for how to mount it. Apply {@code options} to the server's
   * options too ({@link VertxWebSocketOptions#applyTo}): the frame limit is enforced by the
   * server.
   */
  public static VertxWebSocketHandler webSocketHandler(SessionHandler<WebSocketConnection> handler,
      VertxWebSocketOptions options) {
    return new VertxWebSocketHandler(handler, options, true);
  }

  /**
   * Listens; emits once bound, or errors when it could not bind (the port is taken). The
   * handle's {@link ServerHandle#shutdown()} stops accepting, closes every connection with 1001
   * and completes once they are closed and the port can be bound again.
   */
  @Override
  public Mono<ServerHandle> start(SessionHandler<WebSocketConnection> handler) {
    Objects.requireNonNull(handler, "handler");
    return Mono.defer(() -> {
      // Not closed by Vert.x's shutdown event: the handle sends 1001 itself, once the port is free.
      VertxWebSocketHandler webSockets = new VertxWebSocketHandler(handler, options, false);
      List<HttpServer> started = new CopyOnWriteArrayList<>();
      // Vert.x shares one socket between servers listening on the same port; for "any free
      // port" that takes the same negative port number on all of them, one number per start.
      int shared = port != 0 ? port : ANY_PORT_SHARED.decrementAndGet();
      return Flux.range(0, eventLoops)
          .concatMap(i -> listen(shared, webSockets).doOnNext(started::add))
          .then(Mono.fromSupplier(() -> new Handle(started, host, webSockets)))
          .onErrorResume(error -> Mono.fromCompletionStage(() -> closeAll(started).toCompletionStage())
              .onErrorResume(closing -> Mono.empty())
              .then(Mono.error(error)));
    });
  }

  private static Future<Void> closeAll(List<HttpServer> servers) {
    return Future.all(servers.stream().map(HttpServer::close).toList()).mapEmpty();
  }

  /**
   * One {@code HttpServer} listening on a new event-loop context, its connections run there, at
   * {@code sharedPort}: the port, or the negative number all of one start's servers share.
   */
  private Mono<HttpServer> listen(int sharedPort, VertxWebSocketHandler webSockets) {
    return Mono.fromCompletionStage(() -> {
      CompletableFuture<HttpServer> listening = new CompletableFuture<>();
      ((VertxInternal) vertx).createEventLoopContext().runOnContext(ignored ->
          vertx.createHttpServer(serverOptions().setPort(sharedPort))
              .requestHandler(requests != null ? requests : VertxServerTransport::notFound)
              .webSocketHandshakeHandler(webSockets.handshakeHandler())
              .webSocketHandler(webSockets)
              .listen()
              .onComplete(listening::complete, listening::completeExceptionally));
      return listening;
    });
  }

  /** The options of each {@code HttpServer} this transport starts, but the port it listens at. */
  HttpServerOptions serverOptions() {
    boolean strict = strictThreadMode != null ? strictThreadMode : requests == null;
    return options.applyTo(new HttpServerOptions().setHost(host).setPort(port)).setStrictThreadMode(strict);
  }

  private static void notFound(HttpServerRequest request) {
    request.response().setStatusCode(404).end();
  }

  /** A listening server: one {@code HttpServer} per event loop, on one port. */
  static final class Handle implements ServerHandle {
    private final List<HttpServer> servers;
    private final String host;
    private final int port;
    private final VertxWebSocketHandler webSockets;
    private @Nullable Future<Void> stopped;

    Handle(List<HttpServer> servers, String host, VertxWebSocketHandler webSockets) {
      this.servers = List.copyOf(servers);
      this.host = host;
      this.port = servers.get(0).actualPort();
      this.webSockets = webSockets;
    }

    @Override
    public int port() {
      return port;
    }

    /**
     * Sends 1001 only once the listening socket is gone: a client that reconnects at once finds
     * the port closed and waits out its backoff, instead of being refused by a server on its way
     * out. Then waits, up to {@link #SHUTDOWN_GRACE}, for the connections to close; Vert.x drops
     * those still open after it.
     */
    @Override
    public Mono<Void> shutdown() {
      return stopAccepting()
          .then(webSockets.closeAll(CloseStatus.GOING_AWAY))
          .then(Mono.fromCompletionStage(() -> serverShutdown().toCompletionStage()));
    }

    /**
     * Vert.x's own shutdown, started once: it closes the listening socket at once, and drops the
     * connections still open {@link #SHUTDOWN_GRACE} later, so call {@link #shutdown()} (or close
     * them yourself) within that grace.
     */
    @Override
    public Mono<Void> stopAccepting() {
      return Mono.defer(() -> {
        serverShutdown();
        return ListenerRelease.await(host, port);
      });
    }

    private synchronized Future<Void> serverShutdown() {
      if (stopped == null) {
        stopped = Future.all(servers.stream()
            .map(server -> server.shutdown(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS))
            .toList()).mapEmpty();
      }
      return stopped;
    }

    /** Stops as a crash would: every connection dropped without a close frame (1006), then the port released. */
    Mono<Void> kill() {
      return webSockets.abortAll()
          .then(Mono.fromCompletionStage(() -> closeAll(servers).toCompletionStage()))
          .then(ListenerRelease.await(host, port));
    }

    /** The WebSocket handler this server runs. */
    VertxWebSocketHandler webSockets() {
      return webSockets;
    }

    @Override
    public String toString() {
      return "VertxServerTransport.Handle[port=" + port() + ", open=" + webSockets.openConnections() + "]";
    }
  }
}
