package dev.heartbeat.benchmarks;

import dev.heartbeat.Heartbeat;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.frame.WsFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One second of heartbeats for {@code connections} idle connections that share an event loop,
 * as the load test's idle scenario runs them: interval 1 s, timeout 3 s, the default
 * resolution (a sweep run every 25 ms; 50 ms until 2026-11-22 14:30 UTC). Each operation moves
 * the loop's clock through a second, one sweep run per resolution (40 runs); every ping a run
 * sends is answered with a pong right after the run, so
 * every peer stays healthy. Divide by the count for the cost per connection per second of
 * the sweep, its pings and the pongs' inbound path (the transport's own work excluded).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar Sweep</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SweepBenchmark {

  private static final Duration INTERVAL = Duration.ofSeconds(1);
  private static final WsFrame PONG = WsFrame.pong(new byte[0]);

  @Param({"1000", "15000"})
  public int connections;

  private ManualScheduler loop;
  private long runEveryNanos;
  private int runsPerSecond;
  /** The connections pinged by the last run, answered after it. */
  private final List<BenchConnection> pinged = new ArrayList<>();

  @Setup(Level.Trial)
  public void setUp() {
    loop = new ManualScheduler();
    HeartbeatPolicy policy = HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames())
        .interval(INTERVAL).timeout(Duration.ofSeconds(3)).build();
    runEveryNanos = policy.resolution().toNanos();
    runsPerSecond = (int) (INTERVAL.toNanos() / runEveryNanos);
    loop.advance(0); // the clock moves by hand from here on
    for (int i = 0; i < connections; i++) {
      BenchConnection[] self = new BenchConnection[1];
      self[0] = new BenchConnection(loop, frame -> {
        if (frame instanceof WsFrame.Ping) {
          pinged.add(self[0]);
        }
      });
      Heartbeat.operator(policy).apply(self[0]);
      // Spread the connections over the interval, as connects spread in time do.
      if (i % (connections / runsPerSecond) == 0) {
        loop.advance(runEveryNanos);
        runAndAnswer();
      }
    }
    second(); // every connection taken into the sweep and pinged once
  }

  /** One second of sweep runs, a resolution apart on the loop's clock, each followed by the pongs. */
  @Benchmark
  public void second() {
    for (int run = 0; run < runsPerSecond; run++) {
      loop.advance(runEveryNanos);
      runAndAnswer();
    }
  }

  private void runAndAnswer() {
    loop.fire();
    for (int i = 0; i < pinged.size(); i++) {
      pinged.get(i).arrive(PONG);
    }
    pinged.clear();
  }
}
