package dev.heartbeat.benchmarks;

import dev.heartbeat.Heartbeat;
import dev.heartbeat.HeartbeatConnection;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.frame.WsFrame;
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
import org.reactivestreams.Subscription;
import org.openjdk.jmh.infra.Blackhole;
import reactor.core.publisher.BaseSubscriber;

/**
 * The heartbeat operator's cost per inbound application message: classify it (not a
 * heartbeat), write the liveness timestamp, hand it to the application. Target: no allocation
 * per message ({@code -prof gc}: gc.alloc.rate.norm about 0 B/op).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar InboundPath -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class InboundPathBenchmark {

  @Param({"ping-frame", "text", "json"})
  public String codec;

  private BenchConnection connection;
  private WsFrame message;

  @Setup(Level.Trial)
  public void setUp(Blackhole blackhole) {
    HeartbeatCodec heartbeatCodec = switch (codec) {
      case "text" -> HeartbeatCodec.textPingPong();
      case "json" -> HeartbeatCodec.json();
      default -> HeartbeatCodec.pingFrames();
    };
    HeartbeatPolicy policy = HeartbeatPolicy.builder().codec(heartbeatCodec)
        .interval(Duration.ofSeconds(30)).timeout(Duration.ofMinutes(10)).build();
    connection = new BenchConnection(new ManualScheduler());
    HeartbeatConnection heartbeat = Heartbeat.operator(policy).apply(connection);
    heartbeat.receive().subscribe(new BaseSubscriber<WsFrame>() {
      @Override
      protected void hookOnSubscribe(Subscription subscription) {
        subscription.request(Long.MAX_VALUE);
      }

      @Override
      protected void hookOnNext(WsFrame frame) {
        blackhole.consume(frame);
      }
    });
    message = WsFrame.text("{\"type\":\"chat\",\"room\":\"lobby\",\"text\":\"hello, world\"}");
  }

  /** One application message through the operator to the application. */
  @Benchmark
  public void applicationMessage() {
    connection.arrive(message);
  }
}
