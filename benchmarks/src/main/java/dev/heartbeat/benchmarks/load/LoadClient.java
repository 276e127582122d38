package dev.heartbeat.benchmarks.load;

import dev.heartbeat.frame.CloseStatus;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A load client process: N WebSocket connections on a bare Netty client with one or two event
 * loops, the lightest way to hold many connections. It answers every protocol ping with a pong
 * at once and remembers when, per connection (the peer's last sign of life as the server sees
 * it). Driven by {@link ControlLoop} commands from the load driver:
 *
 * <ul>
 *   <li>{@code connect}: opens the connections, at most {@code --concurrency} handshakes in
 *       flight, and answers once every one is open or has failed;</li>
 *   <li>{@code status}: open connections, closes by the server and their codes, pongs sent;</li>
 *   <li>{@code echo window size warmupMs measureMs histogramFile}: keeps {@code window} text
 *       messages of {@code size} bytes outstanding on every connection, each carrying its send
 *       time, and answers the echo rate and latency percentiles of the measured part;</li>
 *   <li>{@code lastpongs file before}: writes each connection's last pong time before
 *       {@code before} ({@link System#nanoTime}, which on Linux is {@code CLOCK_MONOTONIC},
 *       comparable across processes): after a SIGSTOP and SIGCONT the client answers the pings
 *       queued meanwhile, and those must not count;</li>
 *   <li>{@code exit}.</li>
 * </ul>
 *
 * <pre>java -cp benchmarks.jar dev.heartbeat.benchmarks.load.LoadClient --url ws://127.0.0.1:8080/ws --connections 5000</pre>
 */
public final class LoadClient {

  private final URI uri;
  private final int connections;
  private final int concurrency;
  private final EventLoopGroup group;
  private final Class<? extends SocketChannel> channelType;
  private final List<Conn> conns = new ArrayList<>();
  private final LongAdder pongs = new LongAdder();
  private final LongAdder closedByServer = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final Map<Integer, LongAdder> closeCodes = new ConcurrentHashMap<>();
  private final AtomicInteger open = new AtomicInteger();
  // Evidence for each close with the server's timeout code: how long this client had been
  // silent on that connection (since its last pong; -1 if it never got a ping), how many pings
  // it had answered and how long the connection had been open, its last pong times, how far its
  // event loop was behind and the server's reason, so a false timeout (a peer that did answer in
  // time) can be told from a client that was itself too slow to answer.
  private final List<Map<String, Object>> timeoutEvidence = new ArrayList<>();
  private final StallMonitor stalls = new StallMonitor();
  private final LoopLagMonitor loopLag;
  private volatile Echo echo;

  private LoadClient(URI uri, int connections, int threads, int concurrency) {
    this.uri = uri;
    this.connections = connections;
    this.concurrency = concurrency;
    boolean epoll = Epoll.isAvailable();
    this.group = new MultiThreadIoEventLoopGroup(threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    this.channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    this.loopLag = new LoopLagMonitor(group);
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = Options.parse(args);
    LoadClient client = new LoadClient(
        URI.create(Options.required(options, "url")),
        Options.integer(options, "connections", 1000),
        Options.integer(options, "threads", 2),
        Options.integer(options, "concurrency", 256));
    ControlLoop.emit("ready", Map.of("pid", ProcessHandle.current().pid(), "maxOpenFiles", ControlLoop.maxOpenFiles(),
        "io", client.channelType.getSimpleName()));
    client.stalls.start();
    Map<String, ControlLoop.Command> commands = new LinkedHashMap<>();
    commands.put("connect", a -> client.connect());
    commands.put("status", a -> client.status());
    commands.put("echo", a -> client.echo(Integer.parseInt(a[0]), Integer.parseInt(a[1]), Long.parseLong(a[2]),
        Long.parseLong(a[3]), Path.of(a[4])));
    commands.put("lastpongs", a -> client.lastPongs(Path.of(a[0]), Long.parseLong(a[1])));
    try {
      ControlLoop.serve(commands);
    } finally {
      client.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  // ------------------------------------------------------------------ connect

  private Map<String, Object> connect() throws InterruptedException {
    long start = System.nanoTime();
    CountDownLatch done = new CountDownLatch(connections);
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    List<String> errors = new ArrayList<>();
    Bootstrap bootstrap = new Bootstrap().group(group).channel(channelType)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
    Runnable[] openNext = new Runnable[1];
    openNext[0] = () -> {
      int index = next.getAndIncrement();
      if (index >= connections) {
        return;
      }
      Conn conn = new Conn(index);
      synchronized (conns) {
        conns.add(conn);
      }
      conn.handshaken.whenComplete((ok, error) -> {
        if (error != null) {
          failed.incrementAndGet();
          synchronized (errors) {
            if (errors.size() < 5) {
              errors.add(String.valueOf(error));
            }
          }
        }
        done.countDown();
        openNext[0].run(); // keep `concurrency` handshakes in flight
      });
      bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
        @Override
        protected void initChannel(SocketChannel channel) {
          channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192), conn);
        }
      }).connect(uri.getHost(), uri.getPort()).addListener((ChannelFutureListener) future -> {
        if (!future.isSuccess()) {
          conn.handshaken.completeExceptionally(future.cause());
        }
      });
    };
    for (int i = 0; i < Math.min(concurrency, connections); i++) {
      openNext[0].run();
    }
    boolean all = done.await(10, TimeUnit.MINUTES);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("open", open.get());
    answer.put("failed", failed.get());
    answer.put("complete", all);
    answer.put("seconds", (System.nanoTime() - start) / 1e9);
    answer.put("errors", errors);
    return answer;
  }

  private Map<String, Object> status() {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("open", open.get());
    answer.put("closedByServer", closedByServer.sum());
    answer.put("dropped", dropped.sum());
    Map<String, Long> codes = new LinkedHashMap<>();
    closeCodes.forEach((code, count) -> codes.put(Integer.toString(code), count.sum()));
    answer.put("closeCodes", codes);
    answer.put("pongs", pongs.sum());
    synchronized (timeoutEvidence) {
      answer.put("timeoutCloses", List.copyOf(timeoutEvidence));
    }
    answer.put("maxStallMs", stalls.maxStallMillis());
    answer.put("maxLoopLagMs", loopLag.maxLagMillis());
    return answer;
  }

  private Map<String, Object> lastPongs(Path file, long before) throws IOException {
    StringBuilder out = new StringBuilder("connection,lastPongNanos\n");
    synchronized (conns) {
      for (Conn conn : conns) {
        out.append(conn.index).append(',').append(conn.lastPongBefore(before)).append('\n');
      }
    }
    Files.writeString(file, out);
    return Map.of("file", file.toString(), "connections", conns.size());
  }

  // ------------------------------------------------------------------ echo

  /** One echo run: the window refills on every echo until {@code stopAt}. */
  private static final class Echo {
    final byte[] padding;
    final long measureFrom;
    final long measureTo;
    final Recorder latencies = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
    final LongAdder received = new LongAdder();
    final LongAdder outstanding = new LongAdder();
    volatile boolean running = true;

    Echo(int size, long measureFrom, long measureTo) {
      this.padding = "x".repeat(Math.max(0, size - 20)).getBytes(StandardCharsets.US_ASCII);
      this.measureFrom = measureFrom;
      this.measureTo = measureTo;
    }

    /** A message of the configured size that starts with its send time (20 digits). */
    TextWebSocketFrame message(Channel channel) {
      ByteBuf buf = channel.alloc().buffer(20 + padding.length);
      String stamp = Long.toString(System.nanoTime());
      for (int i = stamp.length(); i < 20; i++) {
        buf.writeByte('0');
      }
      buf.writeCharSequence(stamp, StandardCharsets.US_ASCII);
      buf.writeBytes(padding);
      outstanding.increment();
      return new TextWebSocketFrame(buf);
    }

    void echoed(ByteBuf content) {
      long now = System.nanoTime();
      outstanding.decrement();
      if (now < measureFrom || now > measureTo) {
        return;
      }
      received.increment(); // the rate counts every echo in the window
      long sent = Long.parseLong(content.toString(content.readerIndex(), 20, StandardCharsets.US_ASCII));
      if (sent >= measureFrom) { // the latency only those sent in it, so warm-up queues do not count
        latencies.recordValue(Math.min(now - sent, TimeUnit.SECONDS.toNanos(60)));
      }
    }
  }

  private Map<String, Object> echo(int window, int size, long warmupMs, long measureMs, Path histogramFile)
      throws InterruptedException, IOException {
    long start = System.nanoTime();
    Echo run = new Echo(size, start + TimeUnit.MILLISECONDS.toNanos(warmupMs),
        start + TimeUnit.MILLISECONDS.toNanos(warmupMs + measureMs));
    echo = run;
    List<Conn> snapshot;
    synchronized (conns) {
      snapshot = List.copyOf(conns);
    }
    for (Conn conn : snapshot) {
      Channel channel = conn.channel;
      if (channel != null && conn.isOpen()) {
        channel.eventLoop().execute(() -> {
          for (int i = 0; i < window; i++) {
            channel.write(run.message(channel));
          }
          channel.flush();
        });
      }
    }
    TimeUnit.NANOSECONDS.sleep(run.measureTo - System.nanoTime());
    run.running = false;
    // Let the messages in flight come back, so the next run starts from a quiet connection.
    long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (run.outstanding.sum() > 0 && System.nanoTime() < drainUntil) {
      TimeUnit.MILLISECONDS.sleep(10);
    }
    Histogram histogram = run.latencies.getIntervalHistogram();
    try (PrintStream out = new PrintStream(Files.newOutputStream(histogramFile), true, StandardCharsets.UTF_8)) {
      histogram.outputPercentileDistribution(out, 1000.0); // in microseconds
    }
    long messages = run.received.sum();
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("messages", messages);
    answer.put("seconds", measureMs / 1000.0);
    answer.put("perSecond", messages / (measureMs / 1000.0));
    answer.put("p50Us", histogram.getValueAtPercentile(50) / 1000.0);
    answer.put("p90Us", histogram.getValueAtPercentile(90) / 1000.0);
    answer.put("p99Us", histogram.getValueAtPercentile(99) / 1000.0);
    answer.put("p999Us", histogram.getValueAtPercentile(99.9) / 1000.0);
    answer.put("maxUs", histogram.getMaxValue() / 1000.0);
    answer.put("undrained", run.outstanding.sum());
    answer.put("open", open.get());
    answer.put("histogram", histogramFile.toString());
    return answer;
  }

  // ------------------------------------------------------------------ one connection

  /** One connection's handshake and frames, on its event loop. */
  private final class Conn extends SimpleChannelInboundHandler<Object> {
    final int index;
    final CompletableFuture<Void> handshaken = new CompletableFuture<>();
    final WebSocketClientHandshaker handshaker;
    volatile Channel channel;
    volatile boolean closing;
    volatile long openedAt;
    // The latest pong times, newest at (pongCount - 1) % length; guarded by this.
    private final long[] pongTimes = new long[8];
    private int pongCount;

    Conn(int index) {
      this.index = index;
      this.handshaker = WebSocketClientHandshakerFactory.newHandshaker(uri, WebSocketVersion.V13, null, false,
          EmptyHttpHeaders.INSTANCE, 65_536);
    }

    synchronized void ponged(long nanoTime) {
      pongTimes[pongCount++ % pongTimes.length] = nanoTime;
    }

    synchronized int pongCount() {
      return pongCount;
    }

    /** The remembered pong times, oldest first, in ms since the connection opened. */
    synchronized List<Long> pongsAtMillis() {
      List<Long> at = new ArrayList<>();
      for (int i = Math.max(0, pongCount - pongTimes.length); i < pongCount; i++) {
        at.add(TimeUnit.NANOSECONDS.toMillis(pongTimes[i % pongTimes.length] - openedAt));
      }
      return at;
    }

    /** The time of the last pong sent before {@code before}; 0 if none is remembered. */
    synchronized long lastPongBefore(long before) {
      for (int i = pongCount - 1; i >= Math.max(0, pongCount - pongTimes.length); i--) {
        long t = pongTimes[i % pongTimes.length];
        if (t - before < 0) {
          return t;
        }
      }
      return 0;
    }

    boolean isOpen() {
      Channel c = channel;
      return c != null && c.isActive() && handshaker.isHandshakeComplete() && !closing;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      channel = ctx.channel();
      handshaker.handshake(ctx.channel());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (handshaker.isHandshakeComplete()) {
        open.decrementAndGet();
        if (!closing) {
          dropped.increment(); // gone without a close frame
        }
      } else {
        handshaken.completeExceptionally(new IOException("closed during the handshake"));
      }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
      if (!handshaker.isHandshakeComplete()) {
        try {
          handshaker.finishHandshake(ctx.channel(), (FullHttpResponse) msg);
          openedAt = System.nanoTime();
          open.incrementAndGet();
          handshaken.complete(null);
        } catch (RuntimeException e) {
          handshaken.completeExceptionally(e);
          ctx.close();
        }
        return;
      }
      if (msg instanceof PingWebSocketFrame ping) {
        ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
        ponged(System.nanoTime());
        pongs.increment();
      } else if (msg instanceof TextWebSocketFrame text) {
        Echo run = echo;
        if (run != null) {
          run.echoed(text.content());
          if (run.running) {
            ctx.write(run.message(ctx.channel()));
          }
        }
      } else if (msg instanceof CloseWebSocketFrame close) {
        closing = true;
        closedByServer.increment();
        closeCodes.computeIfAbsent(close.statusCode(), code -> new LongAdder()).increment();
        if (close.statusCode() == CloseStatus.HEARTBEAT_TIMEOUT.code()) {
          long now = System.nanoTime();
          long last = lastPongBefore(now);
          Map<String, Object> evidence = new LinkedHashMap<>();
          evidence.put("silenceMs", last == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(now - last));
          evidence.put("pongs", (long) pongCount());
          evidence.put("openMs", TimeUnit.NANOSECONDS.toMillis(now - openedAt));
          evidence.put("loopLagMs", loopLag.currentLagMillis(ctx.channel().eventLoop(), now));
          evidence.put("pongsAtMs", pongsAtMillis());
          evidence.put("reason", close.reasonText());
          synchronized (timeoutEvidence) {
            if (timeoutEvidence.size() < 1000) {
              timeoutEvidence.add(evidence);
            }
          }
        }
        CloseWebSocketFrame answer = close.statusCode() < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(close.statusCode(), "");
        ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
      } else if (msg instanceof WebSocketFrame) {
        // binary or pong: nothing sends them to this client
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      handshaken.completeExceptionally(cause);
      ctx.close();
    }
  }
}
