package dev.heartbeat.benchmarks.baseline;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * What the two bare Reactor Netty baselines share and the way users write it: one
 * {@link HttpServer} with {@code GET /stats} and a WebSocket route at {@code /ws} that echoes
 * every text and binary message as it came. Only the heartbeat differs between them.
 */
final class BareNettyServer {

  /** The heartbeat of one baseline: it watches each accepted connection. */
  interface Heartbeat {
    /** Starts watching a connection just accepted. */
    Watch watch(Connection connection, WebsocketOutbound out);
  }

  /** One connection under watch. */
  interface Watch {
    /** An inbound frame arrived: the peer is alive. Called on the connection's event loop. */
    void seen();

    /** Heartbeat frames to merge into the outbound, if the heartbeat sends through it. */
    Flux<WebSocketFrame> frames();
  }

  private BareNettyServer() {}

  /** Binds on 127.0.0.1 at {@code config.port()} and blocks until the JVM is stopped. */
  static void serve(String name, ServerConfig config, ServerStats stats, Heartbeat heartbeat) {
    WebsocketServerSpec spec = WebsocketServerSpec.builder().maxFramePayloadLength(ServerConfig.MAX_MESSAGE_BYTES).build();
    BiFunction<WebsocketInbound, WebsocketOutbound, Publisher<Void>> websocket = (in, out) -> {
      in.aggregateFrames(ServerConfig.MAX_MESSAGE_BYTES);
      Connection[] connection = new Connection[1];
      in.withConnection(c -> connection[0] = c);
      stats.opened();
      stats.io(connection[0].channel().getClass().getSimpleName());
      connection[0].onDispose(stats::closed);
      Watch watch = heartbeat.watch(connection[0], out);
      Flux<WebSocketFrame> echo = in.receiveFrames()
          .doOnNext(frame -> watch.seen())
          .filter(frame -> frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame)
          .map(WebSocketFrame::retain); // Reactor Netty releases each inbound frame after onNext
      return out.sendObject(Flux.merge(watch.frames(), echo)).then();
    };
    DisposableServer server = HttpServer.create()
        .host("127.0.0.1")
        .port(config.port())
        .route(routes -> routes
            .get("/stats", (req, res) -> res.header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .sendString(Mono.fromSupplier(stats::json)))
            .ws("/ws", websocket, spec))
        .bindNow();
    System.out.println(name + " listening on " + server.port() + ", interval " + config.interval().toMillis()
        + " ms, timeout " + config.timeout().toMillis() + " ms");
    server.onDispose().block();
  }
}
