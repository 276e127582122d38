package dev.heartbeat.benchmarks.load;

import dev.heartbeat.Heartbeat;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.netty.NettyClientTransport;
import dev.heartbeat.reconnect.ConnectionEvent;
import dev.heartbeat.reconnect.ReconnectStrategy;
import dev.heartbeat.reconnect.ReconnectingSession;
import dev.heartbeat.transport.Role;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The reconnect-storm client: N library clients in one process, each a
 * {@link ReconnectingSession} over {@link NettyClientTransport} with the library's default
 * {@link ReconnectStrategy} (capped exponential backoff with jitter) and the heartbeat operator
 * answering the server's pings. Driven by {@link ControlLoop} commands:
 *
 * <ul>
 *   <li>{@code start}: starts the sessions (in batches, so that the first connect is not
 *       itself the storm) and answers at once;</li>
 *   <li>{@code status}: sessions connected now, connects and disconnects so far, the longest
 *       stall of this process since it started (see {@link StallMonitor});</li>
 *   <li>{@code connects file}: writes the time ({@link System#nanoTime}) and attempt of every
 *       connect so far;</li>
 *   <li>{@code exit}.</li>
 * </ul>
 *
 * <pre>java -cp benchmarks.jar dev.heartbeat.benchmarks.load.StormClient --url ws://127.0.0.1:8080/ws --sessions 5000</pre>
 */
public final class StormClient {

  private record Connect(long nanoTime, int attempt) {}

  /** One connect attempt: when it began ({@code Connecting}) and ended, connected or not. */
  private record Attempt(long startNanos, long endNanos, int attempt, boolean connected) {}

  private final URI uri;
  private final int sessions;
  private final HeartbeatPolicy policy;
  private final ReconnectStrategy strategy;
  private final List<ReconnectingSession> started = new ArrayList<>();
  private final ConcurrentLinkedQueue<Connect> connects = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
  private final AtomicInteger connected = new AtomicInteger();
  private final LongAdder disconnects = new LongAdder();
  private final StallMonitor stalls = new StallMonitor();

  private StormClient(URI uri, int sessions, Duration interval, Duration timeout, ReconnectStrategy strategy) {
    this.uri = uri;
    this.sessions = sessions;
    // The server sends the pings; the client answers and watches for a silent server.
    this.policy = HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames()).sentBy(Role.SERVER)
        .interval(interval).timeout(timeout).build();
    this.strategy = strategy;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = Options.parse(args);
    ReconnectStrategy.Builder strategy = ReconnectStrategy.builder();
    if (options.containsKey("min-delay-ms")) {
      strategy = strategy.minDelay(Duration.ofMillis(Options.integer(options, "min-delay-ms", 0)));
    }
    if (options.containsKey("max-delay-ms")) {
      strategy = strategy.maxDelay(Duration.ofMillis(Options.integer(options, "max-delay-ms", 0)));
    }
    StormClient client = new StormClient(URI.create(Options.required(options, "url")),
        Options.integer(options, "sessions", 1000),
        Duration.ofMillis(Options.integer(options, "interval-ms", 1000)),
        Duration.ofMillis(Options.integer(options, "timeout-ms", 3000)),
        strategy.build());
    ControlLoop.emit("ready", Map.of("pid", ProcessHandle.current().pid(), "maxOpenFiles", ControlLoop.maxOpenFiles(),
        "strategy", client.strategy.toString()));
    client.stalls.start();
    Map<String, ControlLoop.Command> commands = new LinkedHashMap<>();
    commands.put("start", a -> client.start());
    commands.put("status", a -> client.status());
    commands.put("connects", a -> client.writeConnects(Path.of(a[0])));
    commands.put("attempts", a -> client.writeAttempts(Path.of(a[0])));
    try {
      ControlLoop.serve(commands);
    } finally {
      client.started.forEach(ReconnectingSession::dispose);
    }
  }

  private Map<String, Object> start() throws InterruptedException {
    NettyClientTransport transport = NettyClientTransport.create(uri);
    for (int i = 0; i < sessions; i++) {
      ReconnectingSession session = ReconnectingSession.builder(transport)
          .strategy(strategy)
          .decorator(Heartbeat.operator(policy))
          .build();
      boolean[] up = {false}; // events of one session arrive one at a time
      long[] attemptStarted = {0};
      int[] attemptNumber = {0};
      session.events().subscribe(event -> {
        if (event instanceof ConnectionEvent.Connecting c) {
          attemptStarted[0] = System.nanoTime();
          attemptNumber[0] = c.attempt();
        } else if (event instanceof ConnectionEvent.Connected c) {
          long now = System.nanoTime();
          connects.add(new Connect(now, c.attempt()));
          attempts.add(new Attempt(attemptStarted[0], now, c.attempt(), true));
          attemptStarted[0] = 0;
          if (!up[0]) {
            up[0] = true;
            connected.incrementAndGet();
          }
        } else if (event instanceof ConnectionEvent.ReconnectScheduled && attemptStarted[0] != 0) {
          // A failed connect is followed by the next schedule, with no Disconnected.
          attempts.add(new Attempt(attemptStarted[0], System.nanoTime(), attemptNumber[0], false));
          attemptStarted[0] = 0;
        } else if (event instanceof ConnectionEvent.Disconnected) {
          disconnects.increment();
          if (up[0]) {
            up[0] = false;
            connected.decrementAndGet();
          }
        }
      });
      session.receive().subscribe(); // the server sends nothing but pings; drain anyway
      session.start();
      started.add(session);
      if (i % 250 == 249) {
        TimeUnit.MILLISECONDS.sleep(50); // the first connect is not the storm under test
      }
    }
    return Map.of("sessions", started.size());
  }

  private Map<String, Object> status() {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("connected", connected.get());
    answer.put("connects", connects.size());
    answer.put("disconnects", disconnects.sum());
    answer.put("maxStallMs", stalls.maxStallMillis());
    return answer;
  }

  private Map<String, Object> writeConnects(Path file) throws IOException {
    StringBuilder out = new StringBuilder("nanoTime,attempt\n");
    for (Connect connect : connects) {
      out.append(connect.nanoTime()).append(',').append(connect.attempt()).append('\n');
    }
    Files.writeString(file, out);
    return Map.of("file", file.toString(), "connects", connects.size());
  }

  /** Every attempt, failed ones too: when the reconnects were tried, not only when they succeeded. */
  private Map<String, Object> writeAttempts(Path file) throws IOException {
    StringBuilder out = new StringBuilder("startNanos,endNanos,attempt,connected\n");
    for (Attempt attempt : attempts) {
      out.append(attempt.startNanos()).append(',').append(attempt.endNanos()).append(',')
          .append(attempt.attempt()).append(',').append(attempt.connected()).append('\n');
    }
    Files.writeString(file, out);
    return Map.of("file", file.toString(), "attempts", attempts.size());
  }
}
