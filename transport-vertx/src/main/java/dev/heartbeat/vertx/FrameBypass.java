package dev.heartbeat.vertx;

import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.transport.EncodedFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * The library's handler in a Vert.x WebSocket's channel pipeline, just before Vert.x's own: the
 * frames that go past Vert.x's {@code WebSocket}, both ways.
 *
 * <p><b>Inbound pings and pongs</b>, so that pings are answered by the core, at its bounded rate
 * (SPEC 7; openai-java #1013), and never by Vert.x. Vert.x 5 writes a pong for every inbound
 * ping itself ({@code WebSocketImplBase.handleFrame}), before any handler of ours runs, and has
 * no option to stop it, so a ping flood would be answered pong for pong, however fast it comes.
 * The bypass hands Vert.x each ping and pong wrapped in a binary frame that starts with this
 * connection's secret; the connection's frame handler {@linkplain #unwrap unwraps} it. Vert.x
 * passes binary frames on untouched, in arrival order, and counts each against the reader's
 * demand: so pings keep their place among the messages, and a flood the reader does not keep up
 * with is held back, through TCP, like any other frame. (Vert.x hands real pings and pongs over
 * outside the demand.) The secret is random and never leaves this process: a peer cannot forge
 * a carrier, and a real binary message is taken for one with a chance of 2<sup>-64</sup>.
 *
 * <p><b>Every frame the library writes on the event loop</b> ({@link #write}): straight into
 * the pipeline, to the WebSocket encoder, as Netty frames around the frame's own bytes. Through
 * Vert.x, each text was a {@code String} encoded again ({@code writeTextMessage}: Vert.x takes
 * text only as a {@code String}), and every frame cost a promise, a task object and a pass
 * through an MPSC queue. A profile of the demo server at 15,000 idle connections put the
 * heartbeat's share of that path at about a fifth of its Java samples; in the echo benchmark,
 * encoding the text again alone took about 7 %. As Vert.x does, what is written while a read
 * is under way is flushed once, at the read's end; otherwise {@link #flush} flushes. Vert.x's
 * own writes (its close frame) still go through Vert.x's queue, after everything written here:
 * the library writes nothing after a close. Vert.x's byte metrics do not see these frames.
 *
 * <p>Installed on the event loop as soon as Vert.x hands the WebSocket over. On an event loop
 * context that is before Vert.x reads any frame, even one that came in the same packet as the
 * handshake response; on a worker context, frames read before then come through as they are,
 * and writes, made on the worker's thread, go through Vert.x.
 */
final class FrameBypass extends ChannelInboundHandlerAdapter {

  /** The bypass's name in the channel pipeline. */
  static final String NAME = "heartbeat-frames";

  /** Not the event loop's ThreadLocalRandom: that one also draws the masks a client sends. */
  private static final SecureRandom SECRETS = new SecureRandom();
  /** The secret, then the RFC 6455 opcode of the frame carried, then its payload. */
  private static final int HEADER = Long.BYTES + 1;
  private static final byte PING = 0x9;
  private static final byte PONG = 0xA;

  /** See {@link EncodedFrames}: written as it is, in a direct buffer that writes never release. */
  private static final ByteBuf SERVER_EMPTY_PING =
      Unpooled.unreleasableBuffer(Unpooled.directBuffer(2, 2).writeBytes(EncodedFrames.serverEmptyPing()));

  private final long secret = SECRETS.nextLong();
  /** Whether this side is the server, whose frames are not masked. */
  private final boolean server;
  /** The largest frame written: a longer message goes out in fragments. */
  private final int maxFrameSize;
  /** Told when the channel takes writes again after it had too much to send. */
  private final Runnable onWritable;
  // Event loop only.
  /** Where the bypass sits in the pipeline; set when it is added. */
  private @Nullable ChannelHandlerContext context;
  /** Completes writes without a promise each, and without telling the pipeline of a failed one. */
  private @Nullable ChannelPromise noPromise;
  /** From a read's first frame to its end, where what was written meanwhile is flushed. */
  private boolean reading;
  /** Frames written and not flushed yet. */
  private boolean unflushed;

  private FrameBypass(boolean server, int maxFrameSize, Runnable onWritable) {
    this.server = server;
    this.maxFrameSize = maxFrameSize;
    this.onWritable = onWritable;
  }

  /**
   * A bypass put in front of Vert.x's handler, {@code vertx} (the WebSocket's channel handler
   * context), for the {@code server} or the client side, writing frames of at most
   * {@code maxFrameSize} payload bytes; {@code onWritable} runs on the event
   * loop when the channel takes writes again. When the channel is already gone it is not
   * installed: there is nothing to carry, and {@link #write} leaves every frame to Vert.x.
   */
  static FrameBypass install(ChannelHandlerContext vertx, boolean server, int maxFrameSize, Runnable onWritable) {
    FrameBypass bypass = new FrameBypass(server, maxFrameSize, onWritable);
    try {
      vertx.pipeline().addBefore(vertx.name(), NAME, bypass);
    } catch (NoSuchElementException closedMeanwhile) {
      // The channel closed and Vert.x's handler left the pipeline.
    }
    return bypass;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
    noPromise = new VoidChannelPromise(ctx.channel(), false);
  }

  /**
   * Writes {@code frame} from here down the pipeline, unflushed, when called on the channel's
   * event loop: true when it did ({@link #flush} then, or let the read under way end), false to
   * let the caller write it through Vert.x (off the event loop, the bypass out of the pipeline,
   * or a close frame, which goes out with Vert.x's close).
   */
  boolean write(WsFrame frame) {
    ChannelHandlerContext ctx = context;
    if (ctx == null || !ctx.executor().inEventLoop() || ctx.isRemoved() || frame instanceof WsFrame.Close) {
      return false;
    }
    if (frame instanceof WsFrame.Text text) {
      writeMessage(ctx, true, text.asByteBuffer());
    } else if (frame instanceof WsFrame.Binary binary) {
      writeMessage(ctx, false, binary.asByteBuffer());
    } else if (server && EncodedFrames.isEmptyPing(frame)) {
      ctx.write(SERVER_EMPTY_PING.duplicate(), noPromise); // bytes: the frame encoder lets them pass
    } else if (frame instanceof WsFrame.Ping ping) {
      ctx.write(new PingWebSocketFrame(Unpooled.wrappedBuffer(ping.asByteBuffer())), noPromise);
    } else {
      ctx.write(new PongWebSocketFrame(Unpooled.wrappedBuffer(((WsFrame.Pong) frame).asByteBuffer())), noPromise);
    }
    unflushed = true;
    return true;
  }

  /**
   * A message in one frame, or, over {@code maxFrameSize}, in frames of that size (the last one
   * shorter), as Vert.x writes it: a peer with the same limit reads it. The payload is wrapped,
   * not copied: the encoder only reads it.
   */
  private void writeMessage(ChannelHandlerContext ctx, boolean text, ByteBuffer payload) {
    ByteBuf all = Unpooled.wrappedBuffer(payload);
    int length = all.readableBytes();
    if (length <= maxFrameSize) {
      ctx.write(text ? new TextWebSocketFrame(all) : new BinaryWebSocketFrame(all), noPromise);
      return;
    }
    for (int offset = 0; offset < length; offset += maxFrameSize) {
      int size = Math.min(maxFrameSize, length - offset);
      boolean last = offset + size == length;
      ByteBuf part = all.retainedSlice(offset, size);
      ctx.write(offset > 0 ? new ContinuationWebSocketFrame(last, 0, part)
          : text ? new TextWebSocketFrame(false, 0, part) : new BinaryWebSocketFrame(false, 0, part), noPromise);
    }
    all.release(); // each part holds it until written
  }

  /**
   * Flushes what {@link #write} wrote, unless a read is under way: its end flushes, once for all.
   * Off the event loop there is nothing to flush: {@link #write} wrote nothing there.
   */
  void flush() {
    ChannelHandlerContext ctx = context;
    if (ctx != null && ctx.executor().inEventLoop() && unflushed && !reading) {
      unflushed = false;
      ctx.flush();
    }
  }

  /** Whether the channel takes more without going over its high-water mark; see {@code onWritable}. */
  boolean channelWritable() {
    ChannelHandlerContext ctx = context;
    return ctx == null || ctx.channel().isWritable();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.fireChannelReadComplete(); // Vert.x delivers what it held back, and flushes its own writes
    reading = false;
    flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    ctx.fireChannelWritabilityChanged(); // Vert.x writes what it queued meanwhile first
    if (ctx.channel().isWritable()) {
      onWritable.run();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    reading = true;
    if (msg instanceof PingWebSocketFrame || msg instanceof PongWebSocketFrame) {
      io.netty.handler.codec.http.websocketx.WebSocketFrame control =
          (io.netty.handler.codec.http.websocketx.WebSocketFrame) msg;
      BinaryWebSocketFrame carrier;
      try {
        ByteBuf payload = control.content();
        // Unpooled on the heap: Vert.x keeps such a buffer as it is, where it copies a pooled one.
        carrier = new BinaryWebSocketFrame(Unpooled.buffer(HEADER + payload.readableBytes())
            .writeLong(secret)
            .writeByte(msg instanceof PingWebSocketFrame ? PING : PONG)
            .writeBytes(payload, payload.readerIndex(), payload.readableBytes()));
      } finally {
        control.release();
      }
      ctx.fireChannelRead(carrier);
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  /** The ping or pong {@code frame} carries, or null when it is no carrier of this connection. */
  @Nullable WsFrame unwrap(WebSocketFrame frame) {
    if (frame.type() != WebSocketFrameType.BINARY || !frame.isFinal()) {
      return null;
    }
    Buffer data = frame.binaryData();
    if (data.length() < HEADER || data.getLong(0) != secret) {
      return null;
    }
    byte[] payload = data.getBytes(HEADER, data.length());
    return data.getByte(Long.BYTES) == PING ? WsFrame.ping(payload) : WsFrame.pong(payload);
  }
}
