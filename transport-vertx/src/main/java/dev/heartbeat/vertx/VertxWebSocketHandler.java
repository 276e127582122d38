package dev.heartbeat.vertx;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.transport.HandshakeDecision;
import dev.heartbeat.transport.HandshakeInfo;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.internal.ContextInternal;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Serves WebSockets on a Vert.x {@code HttpServer} you own, beside its ordinary HTTP routes:
 * each accepted {@link ServerWebSocket} becomes a {@link WebSocketConnection} handed to a
 * {@link SessionHandler}, which runs as on every server transport
 * ({@link SessionHandler#serve}). Get one from
 * {@link VertxServerTransport#webSocketHandler(SessionHandler, VertxWebSocketOptions)}.
 *
 * <p>Two ways to mount it:
 * <pre>{@code
 * VertxWebSocketHandler webSockets = VertxServerTransport.webSocketHandler(handler, options);
 *
 * // 1. On the server: upgrades at options.path(), checked by the options' handshake check.
 * vertx.createHttpServer(options.applyTo(new HttpServerOptions()))
 *     .requestHandler(router)                                  // ordinary routes
 *     .webSocketHandshakeHandler(webSockets.handshakeHandler())
 *     .webSocketHandler(webSockets)
 *     .listen(8080);
 *
 * // 2. As a route (a Vert.x Web Router, or any request handler): the route picks the path.
 * router.route("/ws").handler(ctx -> webSockets.upgrade(ctx.request()));
 * }</pre>
 *
 * <p>Either way the options' {@link dev.heartbeat.transport.HandshakeCheck} runs before the
 * upgrade, and a rejected handshake is answered with its HTTP status while the connection is
 * still plain HTTP: the client's connect fails with that status, and no WebSocket is opened.
 * Its answer is written on the request's context, so the handler works with Vert.x's strict
 * thread mode ({@code HttpServerOptions.setStrictThreadMode(true)}), which saves about 4 KB per
 * WebSocket when your own handlers answer on their context too; see
 * {@link VertxServerTransport#strictThreadMode(boolean)}.
 */
public final class VertxWebSocketHandler implements Handler<ServerWebSocket> {

  private final SessionHandler<WebSocketConnection> handler;
  private final VertxWebSocketOptions options;
  /** Open connections; added to under its own lock, together with the check of {@code closing}. */
  private final Set<VertxWebSocketConnection> live = ConcurrentHashMap.newKeySet();
  /** Whether the server's graceful shutdown closes the WebSockets (with 1001). */
  private final boolean closeOnServerShutdown;
  private volatile boolean closing;

  VertxWebSocketHandler(SessionHandler<WebSocketConnection> handler, VertxWebSocketOptions options,
      boolean closeOnServerShutdown) {
    this.handler = Objects.requireNonNull(handler, "handler");
    this.options = Objects.requireNonNull(options, "options");
    this.closeOnServerShutdown = closeOnServerShutdown;
  }

  /**
   * Serves an accepted WebSocket; Vert.x calls it on the WebSocket's context. After
   * {@link #closeAll} started, new WebSockets are closed at once with 1001. Mounted on your
   * server, open ones are closed with 1001 when it shuts down gracefully ({@code HttpServer.shutdown}).
   */
  @Override
  public void handle(ServerWebSocket ws) {
    Objects.requireNonNull(ws, "ws");
    ContextInternal context = (ContextInternal) Vertx.currentContext();
    if (context == null) {
      throw new IllegalStateException("handle: call it on the WebSocket's Vert.x context, as Vert.x does");
    }
    VertxWebSocketConnection connection = VertxWebSocketConnection.accepted(ws, context, options);
    if (!admit(connection)) {
      connection.close(CloseStatus.GOING_AWAY).subscribe(null, error -> { });
      return;
    }
    connection.whenClosed(status -> live.remove(connection));
    if (closeOnServerShutdown) {
      // Your server's graceful shutdown (HttpServer.shutdown) closes the WebSocket with 1001
      // through the connection, instead of Vert.x dropping it at the end of the grace period.
      ws.shutdownHandler(ignored -> connection.close(CloseStatus.GOING_AWAY).subscribe(null, error -> { }));
    }
    SessionHandler.serve(connection, handler).subscribe(null, error -> { });
  }

  /**
   * Adds {@code connection} to the open ones, unless {@link #closeAll} started. Checked and added
   * under one lock with which {@code closeAll} sets {@code closing} and takes its list: the peer
   * may read the 101 before this runs, and a connection added just after {@code closeAll} took
   * its list would be left to Vert.x, which closes it with 1000 when the server stops.
   */
  private boolean admit(VertxWebSocketConnection connection) {
    synchronized (live) {
      if (closing) {
        return false;
      }
      live.add(connection);
      return true;
    }
  }

  /** From now on no connection is admitted; the ones open now. */
  private List<VertxWebSocketConnection> stopAdmitting() {
    synchronized (live) {
      closing = true;
      return List.copyOf(live);
    }
  }

  /**
   * A handler for {@code HttpServer.webSocketHandshakeHandler}: refuses paths other than
   * {@code options.path()} with 404, then runs the handshake check, and accepts or rejects
   * before the upgrade (503 while {@link #closeAll} runs).
   */
  public Handler<ServerWebSocketHandshake> handshakeHandler() {
    return handshake -> {
      if (!options.path().equals(handshake.path())) {
        handshake.reject(404);
        return;
      }
      HandshakeInfo info = Handshakes.server(handshake.scheme(), handshake.authority(), handshake.uri(),
          handshake.localAddress(), handshake.headers(), null, handshake.remoteAddress());
      decide(info, decision -> {
        if (decision.accepted()) {
          handshake.accept();
        } else {
          handshake.reject(decision.status());
        }
      });
    };
  }

  /**
   * Upgrades {@code request} after the handshake check accepts it, and serves the WebSocket; a
   * rejected request gets the decision's status, and its reason as the body. Call it from a route of a Router, or any request
   * handler, before that handler returns (the request is paused while the check decides). The
   * path is the route's business: it is not checked.
   */
  public void upgrade(HttpServerRequest request) {
    Objects.requireNonNull(request, "request");
    HandshakeInfo info = Handshakes.server(request.scheme(), request.authority(), request.uri(),
        request.localAddress(), request.headers(), null, request.remoteAddress());
    request.pause(); // the check may take a while; toWebSocket() resumes it
    decide(info, decision -> {
      if (decision.accepted()) {
        request.toWebSocket().onSuccess(this).onFailure(error -> { });
      } else {
        request.response().setStatusCode(decision.status()).end(decision.reason());
      }
    });
  }

  /**
   * Closes every open connection with {@code status} and completes once they are closed; from
   * now on new handshakes are refused with 503 and late WebSockets closed with 1001. For a
   * graceful shutdown use {@link CloseStatus#GOING_AWAY 1001}, so clients reconnect elsewhere.
   */
  public Mono<Void> closeAll(CloseStatus status) {
    Objects.requireNonNull(status, "status");
    return Mono.defer(() -> {
      return Flux.fromIterable(stopAdmitting()).flatMap(connection -> connection.close(status)).then();
    });
  }

  /** How many connections are open now. */
  public int openConnections() {
    return live.size();
  }

  /** Drops every connection without a close frame (a crash, for tests); completes when they are gone. */
  Mono<Void> abortAll() {
    return Mono.defer(() -> {
      List<VertxWebSocketConnection> connections = stopAdmitting();
      connections.forEach(VertxWebSocketConnection::abort);
      return Flux.fromIterable(connections).flatMap(VertxWebSocketConnection::onClose).then();
    });
  }

  /**
   * Runs the handshake check and hands its decision to {@code decision} on the current context
   * (a check that fails or returns nothing rejects with 500; 503 while closing).
   */
  private void decide(HandshakeInfo info, Consumer<HandshakeDecision> decision) {
    Context context = Vertx.currentContext();
    Consumer<HandshakeDecision> onContext = decided -> {
      if (context == null || ((ContextInternal) context).inThread()) {
        decision.accept(decided);
      } else {
        context.runOnContext(ignored -> decision.accept(decided));
      }
    };
    if (closing) {
      decision.accept(HandshakeDecision.reject(503, "shutting down"));
      return;
    }
    Mono<HandshakeDecision> verdict;
    try {
      verdict = Objects.requireNonNull(options.handshakeCheck().check(info), "handshakeCheck returned null");
    } catch (RuntimeException error) {
      decision.accept(HandshakeDecision.reject(500, "handshake check failed"));
      return;
    }
    verdict.defaultIfEmpty(HandshakeDecision.reject(500, "handshake check decided nothing"))
        .onErrorReturn(HandshakeDecision.reject(500, "handshake check failed"))
        .subscribe(onContext);
  }
}
