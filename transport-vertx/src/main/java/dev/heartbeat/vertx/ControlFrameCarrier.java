package dev.heartbeat.vertx;

import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.transport.EncodedFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import java.security.SecureRandom;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * Carries one connection's inbound pings and pongs past Vert.x, so that pings are answered by
 * the core, at its bounded rate (SPEC 7; openai-java #1013), and never by Vert.x.
 *
 * <p>Why: Vert.x 5 writes a pong for every inbound ping itself ({@code WebSocketImplBase.handleFrame}),
 * before any handler of ours runs, and has no option to stop it, so a ping flood would be
 * answered pong for pong, however fast it comes. This Netty handler sits in the channel pipeline
 * just before Vert.x's own handler and hands Vert.x each ping and pong wrapped in a binary
 * frame that starts with this connection's secret; the connection's frame handler
 * {@linkplain #unwrap unwraps} it. Vert.x passes binary frames on untouched, in arrival order,
 * and counts each against the reader's demand: so pings keep their place among the messages,
 * and a flood the reader does not keep up with is held back, through TCP, like any other
 * frame. (Vert.x hands real pings and pongs over outside the demand.)
 *
 * <p>The secret is random and never leaves this process: a peer cannot forge a carrier, and a
 * real binary message is taken for one with a chance of 2<sup>-64</sup>. The connection
 * installs the carrier on its context as soon as Vert.x hands the WebSocket over. On an event
 * loop context that is before Vert.x reads any frame, even one that came in the same packet as
 * the handshake response; on a worker context, frames read before then come through as they are.
 *
 * <p>The carrier is also the way out for the pings and pongs the core writes on the event loop
 * ({@link #writeControl}): straight into the channel pipeline, past Vert.x's outbound queue and
 * without the Vert.x {@link Buffer} a {@code writePing} needs. A profile of the demo server at
 * 15,000 idle connections put that path at about a fifth of the server's Java samples, half of
 * it Vert.x's queue and the buffer's allocation. A control frame may go out ahead of messages
 * Vert.x still queues: RFC 6455 §5.4 lets control frames come between any two frames.
 */
final class ControlFrameCarrier extends ChannelInboundHandlerAdapter {

  /** The carrier's name in the channel pipeline. */
  static final String NAME = "heartbeat-control-frames";

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
  /** Where the carrier sits in the pipeline; set on the event loop when it is added. */
  private @Nullable ChannelHandlerContext context;

  private ControlFrameCarrier(boolean server) {
    this.server = server;
  }

  /**
   * A carrier put in front of Vert.x's handler, {@code vertx} (the WebSocket's channel handler
   * context), for the {@code server} or the client side. When the channel is already gone it
   * is not installed: there is nothing to carry.
   */
  static ControlFrameCarrier install(ChannelHandlerContext vertx, boolean server) {
    ControlFrameCarrier carrier = new ControlFrameCarrier(server);
    try {
      vertx.pipeline().addBefore(vertx.name(), NAME, carrier);
    } catch (NoSuchElementException closedMeanwhile) {
      // The channel closed and Vert.x's handler left the pipeline.
    }
    return carrier;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
  }

  /**
   * Writes the ping or pong {@code frame} from here down the pipeline, to the WebSocket encoder,
   * when called on the channel's event loop: true when it did, false to let the caller write it
   * through Vert.x (off the event loop, or the carrier not in the pipeline).
   */
  boolean writeControl(WsFrame frame) {
    ChannelHandlerContext ctx = context;
    if (ctx == null || !ctx.executor().inEventLoop() || ctx.isRemoved()) {
      return false;
    }
    if (server && EncodedFrames.isEmptyPing(frame)) {
      ctx.writeAndFlush(SERVER_EMPTY_PING.duplicate()); // bytes: the frame encoder lets them pass
      return true;
    }
    if (frame instanceof WsFrame.Ping ping) {
      ctx.writeAndFlush(new PingWebSocketFrame(Unpooled.wrappedBuffer(ping.asByteBuffer())));
      return true;
    }
    if (frame instanceof WsFrame.Pong pong) {
      ctx.writeAndFlush(new PongWebSocketFrame(Unpooled.wrappedBuffer(pong.asByteBuffer())));
      return true;
    }
    return false;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
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
