package dev.heartbeat.benchmarks;

import dev.heartbeat.Heartbeat;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.codec.HeartbeatCodec;
import java.time.Duration;
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
 * The cost of one sweep tick over {@code connections} connections that share an event loop,
 * when no heartbeat is due (the common tick): divide by the count for the cost per connection
 * per tick.
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

  @Param({"1000", "15000"})
  public int connections;

  private ManualScheduler loop;

  @Setup(Level.Trial)
  public void setUp() {
    loop = new ManualScheduler();
    HeartbeatPolicy policy = HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames())
        .interval(Duration.ofHours(1)).timeout(Duration.ofHours(3)).build();
    for (int i = 0; i < connections; i++) {
      Heartbeat.operator(policy).apply(new BenchConnection(loop));
    }
    loop.fire(); // the first run takes the new connections into the walk
  }

  /** One sweep run over every connection. */
  @Benchmark
  public void tick() {
    loop.fire();
  }
}
