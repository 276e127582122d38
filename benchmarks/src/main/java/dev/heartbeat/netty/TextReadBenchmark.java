package dev.heartbeat.netty;

import dev.heartbeat.frame.WsFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the Reactor Netty transport pays to turn a text frame's payload (a pooled direct buffer,
 * as Netty's decoder hands it over) into the core's frame: decoded to a {@code String} as it did
 * before (which let malformed UTF-8 through as U+FFFD), against the UTF-8 copied once and
 * checked, from the buffer's own NIO view ({@code NettyWebSocketConnection.readable}), as
 * {@link NettyWebSocketConnection#toCore} does now.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar TextRead -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TextReadBenchmark {

  /** 64: the echo scenario's messages; 4,096: a larger one. */
  @Param({"64", "4096"})
  public int length;

  private ByteBuf content;

  @Setup(Level.Trial)
  public void setUp() {
    content = ByteBufAllocator.DEFAULT.directBuffer(length).writeBytes("x".repeat(length).getBytes(StandardCharsets.UTF_8));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    content.release();
  }

  @Benchmark
  public WsFrame decodedToString() {
    return WsFrame.text(content.toString(StandardCharsets.UTF_8));
  }

  @Benchmark
  public WsFrame keptAsUtf8() {
    return WsFrame.textFromUtf8(NettyWebSocketConnection.readable(content));
  }
}
