package dev.heartbeat.benchmarks.baseline;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Flux;

/**
 * Baseline (c): the best hand-written heartbeat on bare Reactor Netty. No timer per connection:
 * each event loop runs one sweep every tenth of the interval over the connections it owns,
 * pings those whose interval has passed, and closes with {@code 4408} those silent for longer
 * than the timeout. Everything a connection's watch touches lives on its event loop, so there
 * are no atomics and no thread hops.
 *
 * <pre>PORT=8080 HB_INTERVAL_MS=1000 HB_TIMEOUT_MS=3000 java -cp benchmarks.jar dev.heartbeat.benchmarks.baseline.SweepServer</pre>
 */
public final class SweepServer {

  private SweepServer() {}

  public static void main(String[] args) {
    ServerConfig config = ServerConfig.fromEnv(System.getenv());
    ServerStats stats = new ServerStats("netty-sweep");
    Map<EventLoop, Sweep> sweeps = new ConcurrentHashMap<>();
    BareNettyServer.serve("netty-sweep", config, stats, (connection, out) -> {
      Channel channel = connection.channel();
      Peer peer = new Peer(channel);
      EventLoop loop = channel.eventLoop();
      Sweep sweep = sweeps.computeIfAbsent(loop, l -> new Sweep(l, config, stats));
      loop.execute(() -> sweep.add(peer));
      return peer;
    });
  }

  /** One connection, touched only on its event loop. */
  static final class Peer implements BareNettyServer.Watch {
    final Channel channel;
    long lastSeen = System.nanoTime();
    long lastPing = lastSeen;

    Peer(Channel channel) {
      this.channel = channel;
    }

    @Override
    public void seen() {
      lastSeen = System.nanoTime();
    }

    @Override
    public Flux<WebSocketFrame> frames() {
      return Flux.empty(); // the sweep writes the pings
    }
  }

  /** The connections of one event loop and the periodic walk over them. */
  static final class Sweep implements Runnable {
    private final List<Peer> peers = new ArrayList<>();
    private final long intervalNanos;
    private final long timeoutNanos;
    private final ServerStats stats;

    Sweep(EventLoop loop, ServerConfig config, ServerStats stats) {
      this.intervalNanos = config.interval().toNanos();
      this.timeoutNanos = config.timeout().toNanos();
      this.stats = stats;
      long period = intervalNanos / 10;
      loop.scheduleAtFixedRate(this, period, period, TimeUnit.NANOSECONDS);
    }

    void add(Peer peer) {
      peers.add(peer);
    }

    @Override
    public void run() {
      long now = System.nanoTime();
      for (int i = peers.size() - 1; i >= 0; i--) {
        Peer peer = peers.get(i);
        if (!peer.channel.isActive()) {
          remove(i);
        } else if (now - peer.lastSeen > timeoutNanos) {
          stats.timedOut();
          remove(i);
          peer.channel.writeAndFlush(new CloseWebSocketFrame(4408, "heartbeat timeout"))
              .addListener(ChannelFutureListener.CLOSE);
        } else if (now - peer.lastPing >= intervalNanos) {
          peer.lastPing = now;
          peer.channel.writeAndFlush(new PingWebSocketFrame());
        }
      }
    }

    private void remove(int i) {
      int last = peers.size() - 1;
      peers.set(i, peers.get(last)); // order does not matter: swap with the last, O(1)
      peers.remove(last);
    }
  }
}
