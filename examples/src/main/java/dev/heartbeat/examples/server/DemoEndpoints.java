package dev.heartbeat.examples.server;

import dev.heartbeat.examples.TransportName;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.netty.NettyServerTransport;
import dev.heartbeat.server.ConnectionRegistry;
import dev.heartbeat.transport.HandshakeCheck;
import dev.heartbeat.transport.ServerHandle;
import dev.heartbeat.transport.ServerTransport;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import dev.heartbeat.vertx.VertxServerTransport;
import dev.heartbeat.vertx.VertxWebSocketOptions;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * The demo servers' endpoint on either transport: WebSockets at {@code /ws} and a few HTTP
 * routes ({@link HttpRoutes}) on the same port. This is the only place where the demos differ
 * per transport; each branch is the transport's own way of serving HTTP beside the endpoint
 * ({@link NettyServerTransport#routes}, {@link VertxServerTransport#requestHandler}).
 *
 * <pre>{@code
 * ServerHandle server = DemoEndpoints.create(TransportName.VERTX, 8080, routes)
 *     .start(registry.handler(session -> session.send(session.receive())))
 *     .block();
 * }</pre>
 *
 * <p>By default it listens on 127.0.0.1 and accepts every handshake. On Vert.x it creates its
 * own {@link Vertx} per start and closes it when the server is shut down.
 */
public final class DemoEndpoints implements ServerTransport {

  /** Where the demos listen unless told otherwise: loopback only. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  private final TransportName transport;
  private final String host;
  private final int port;
  private final HttpRoutes routes;
  private final HandshakeCheck check;

  private DemoEndpoints(TransportName transport, String host, int port, HttpRoutes routes, HandshakeCheck check) {
    this.transport = transport;
    this.host = host;
    this.port = port;
    this.routes = routes;
    this.check = check;
  }

  /** An endpoint on {@code transport} at 127.0.0.1:{@code port} (0 for any free port) serving {@code routes}. */
  public static DemoEndpoints create(TransportName transport, int port, HttpRoutes routes) {
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(routes, "routes");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port: must be in 0-65535, got " + port);
    }
    return new DemoEndpoints(transport, DEFAULT_HOST, port, routes, HandshakeCheck.acceptAll());
  }

  /** This endpoint listening on {@code host}; by default {@value #DEFAULT_HOST}. */
  public DemoEndpoints host(String host) {
    return new DemoEndpoints(transport, Objects.requireNonNull(host, "host"), port, routes, check);
  }

  /** This endpoint deciding upgrades with {@code check} (401, 403 ...); by default it accepts all. */
  public DemoEndpoints handshakeCheck(HandshakeCheck check) {
    return new DemoEndpoints(transport, host, port, routes, Objects.requireNonNull(check, "check"));
  }

  /** The transport it runs on. */
  public TransportName transport() {
    return transport;
  }

  @Override
  public Mono<ServerHandle> start(SessionHandler<WebSocketConnection> handler) {
    Objects.requireNonNull(handler, "handler");
    return transport == TransportName.NETTY ? startNetty(handler) : startVertx(handler);
  }

  // ---------------------------------------------------------------- Reactor Netty

  private Mono<ServerHandle> startNetty(SessionHandler<WebSocketConnection> handler) {
    return NettyServerTransport.create(host, port)
        .handshakeCheck(check)
        .routes(r -> r.route(request -> true, (req, res) -> serve(req.method().name(), req.uri(), res)))
        .start(handler);
  }

  private Publisher<Void> serve(String method, String uri, reactor.netty.http.server.HttpServerResponse res) {
    HttpRoutes.Reply reply = routes.resolve(method, uri);
    if (reply instanceof HttpRoutes.Body body) {
      return res.status(body.status())
          .header(HttpHeaderNames.CONTENT_TYPE, body.contentType())
          .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.bytes().length))
          .sendByteArray(Mono.just(body.bytes()));
    }
    HttpRoutes.Events events = (HttpRoutes.Events) reply;
    // Cancelled by Reactor Netty when the client goes away or the server shuts down.
    return res.header(HttpHeaderNames.CONTENT_TYPE, HttpRoutes.EVENT_STREAM)
        .header(HttpHeaderNames.CACHE_CONTROL, "no-cache")
        .sendString(events.wire(), StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- Vert.x

  private Mono<ServerHandle> startVertx(SessionHandler<WebSocketConnection> handler) {
    return Mono.defer(() -> {
      Vertx vertx = Vertx.vertx();
      VertxWebSocketOptions options = VertxWebSocketOptions.builder().handshakeCheck(check).build();
      return VertxServerTransport.create(vertx, host, port, options)
          .requestHandler(this::serve)
          // serve() writes every response on its request's context: no write queue per connection.
          .strictThreadMode(true)
          .start(handler)
          // The Vert.x made for this start is closed once the server is shut down.
          .map(server -> withShutdown(server, () -> server.shutdown().onErrorResume(error -> Mono.empty()).then(close(vertx))))
          .onErrorResume(error -> close(vertx).then(Mono.error(error)));
    });
  }

  private void serve(HttpServerRequest request) {
    HttpRoutes.Reply reply = routes.resolve(request.method().name(), request.uri());
    HttpServerResponse response = request.response();
    if (reply instanceof HttpRoutes.Body body) {
      response.setStatusCode(body.status())
          .putHeader(HttpHeaderNames.CONTENT_TYPE, body.contentType())
          .end(Buffer.buffer(body.bytes()));
      return;
    }
    HttpRoutes.Events events = (HttpRoutes.Events) reply;
    Context context = Vertx.currentContext();
    response.setChunked(true)
        .putHeader(HttpHeaderNames.CONTENT_TYPE, HttpRoutes.EVENT_STREAM)
        .putHeader(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    // Events come from a Reactor timer; the response is written on its own context only. A
    // client that does not read misses events rather than making the server buffer them.
    Disposable stream = events.wire().subscribe(
        text -> context.runOnContext(ignored -> {
          if (!response.ended() && !response.writeQueueFull()) {
            response.write(text);
          }
        }),
        error -> context.runOnContext(ignored -> endQuietly(response)),
        () -> context.runOnContext(ignored -> endQuietly(response)));
    response.closeHandler(ignored -> stream.dispose());
  }

  /**
   * {@code server}, whose shutdown stops accepting, then closes {@code registry}'s connections
   * with 1001 (waiting at most {@code deadline}), then stops the transport: clients reconnect
   * elsewhere, spread by their jitter, and one that comes back at once is refused by TCP.
   */
  public static ServerHandle gracefully(ServerHandle server, ConnectionRegistry registry, Duration deadline) {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(deadline, "deadline");
    return withShutdown(server, () -> server.stopAccepting()
        .then(registry.shutdown(CloseStatus.GOING_AWAY.withReason("server shutting down"), deadline))
        .then(server.shutdown()));
  }

  /** {@code server}, whose shutdown is {@code shutdown} instead: the one decorator both demo handles need. */
  private static ServerHandle withShutdown(ServerHandle server, Supplier<Mono<Void>> shutdown) {
    return new ServerHandle() {
      @Override
      public int port() {
        return server.port();
      }

      @Override
      public Mono<Void> stopAccepting() {
        return server.stopAccepting();
      }

      @Override
      public Mono<Void> shutdown() {
        return Mono.defer(shutdown);
      }

      @Override
      public String toString() {
        return server.toString();
      }
    };
  }

  private static void endQuietly(HttpServerResponse response) {
    if (!response.ended()) {
      response.end();
    }
  }

  private static Mono<Void> close(Vertx vertx) {
    return Mono.fromCompletionStage(() -> vertx.close().toCompletionStage());
  }

  @Override
  public String toString() {
    return "DemoEndpoints[" + transport.id() + " " + host + ":" + port + "]";
  }
}
