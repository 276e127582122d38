package dev.heartbeat.netty;

import dev.heartbeat.frame.WsFrame;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import java.nio.ByteBuffer;
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
 * What a server pays to put one text message on the wire, from the core's frame to the bytes
 * the socket gets, through Netty's frame encoder in a channel: the way the Reactor Netty
 * transport wrote it before (a {@code TextWebSocketFrame} made from the {@code String}, whose
 * heap buffer the encoder copies behind a header) against {@link ServerFrameEncoder} (header and
 * payload in one pooled buffer, passed by the encoder as it is), for a message the application
 * made (a new frame from a {@code String}: encoded to UTF-8 once) and for one it writes back as
 * it was read (a frame from the UTF-8 off the wire, made by {@code WsFrame.textFromUtf8} each
 * time as the transport's read does: never encoded). In this package because the encoder is the
 * transport's own, not API.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar ServerWrite -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ServerWriteBenchmark {

  /** 64: the echo scenario's messages; 4,096: past the encoder's gathering-write threshold. */
  @Param({"64", "4096"})
  public int length;

  private EmbeddedChannel channel;
  private String text;
  private ByteBuffer utf8;

  @Setup(Level.Trial)
  public void setUp() {
    channel = new EmbeddedChannel(new WebSocket08FrameEncoder(false));
    text = "x".repeat(length);
    utf8 = ByteBuffer.allocateDirect(length).put(text.getBytes(StandardCharsets.UTF_8)).flip();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    channel.finishAndReleaseAll();
  }

  @Benchmark
  public int frameThroughTheEncoder() {
    channel.writeOutbound(new TextWebSocketFrame(WsFrame.text(text).text()));
    return drain();
  }

  @Benchmark
  public int encodedOnce() {
    channel.writeOutbound(ServerFrameEncoder.encode(channel.alloc(), WsFrame.text(text)));
    return drain();
  }

  @Benchmark
  public int writtenBackAsRead() {
    channel.writeOutbound(ServerFrameEncoder.encode(channel.alloc(), WsFrame.textFromUtf8(utf8)));
    return drain();
  }

  /** Takes what the channel would have written, as the socket does, and releases it. */
  private int drain() {
    int bytes = 0;
    for (ByteBuf written = channel.readOutbound(); written != null; written = channel.readOutbound()) {
      bytes += written.readableBytes();
      written.release();
    }
    return bytes;
  }
}
