package dev.heartbeat.benchmarks.baseline;

import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.netty.Connection;

/**
 * Baseline (a): the heartbeat as most Reactor Netty users write it. Every connection gets its
 * own {@code Flux.interval} (a timer on {@code Schedulers.parallel()}) that checks the
 * last-seen timestamp and sends a ping; a peer silent for longer than the timeout is sent
 * {@code 4408} and dropped. Death is noticed on a tick, so up to one interval late.
 *
 * <pre>PORT=8080 HB_INTERVAL_MS=1000 HB_TIMEOUT_MS=3000 java -cp benchmarks.jar dev.heartbeat.benchmarks.baseline.FluxIntervalServer</pre>
 */
public final class FluxIntervalServer {

  private FluxIntervalServer() {}

  public static void main(String[] args) {
    ServerConfig config = ServerConfig.fromEnv(System.getenv());
    ServerStats stats = new ServerStats("flux-interval");
    long timeoutNanos = config.timeout().toNanos();
    BareNettyServer.serve("flux-interval", config, stats, (connection, out) -> {
      AtomicLong lastSeen = new AtomicLong(System.nanoTime());
      Flux<WebSocketFrame> pings = Flux.interval(config.interval())
          .<WebSocketFrame>handle((tick, sink) -> {
            if (System.nanoTime() - lastSeen.get() > timeoutNanos) {
              stats.timedOut();
              out.sendClose(4408, "heartbeat timeout").subscribe(null, error -> connection.dispose(), connection::dispose);
              sink.complete();
            } else {
              sink.next(new PingWebSocketFrame());
            }
          });
      return new BareNettyServer.Watch() {
        @Override
        public void seen() {
          lastSeen.set(System.nanoTime());
        }

        @Override
        public Flux<WebSocketFrame> frames() {
          return pings;
        }
      };
    });
  }
}
