package dev.heartbeat.netty;

import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.transport.EncodedFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;

/**
 * A server's frames encoded straight into one buffer from the channel's allocator (RFC 6455
 * §5.2: final, unmasked), written past Netty's frame encoder.
 *
 * <p>Why: Netty's {@code TextWebSocketFrame} made from a {@code String} encodes the text into an
 * unpooled heap buffer, which the frame encoder then copies behind a header in a second, pooled
 * one. In the echo benchmark that path was about a quarter of the server's samples, twice the
 * bare server's, whose frames keep their inbound buffer. Here the header and the payload go into
 * one buffer of the exact size, once; a text frame's UTF-8 comes from the frame, which encodes
 * it once however many peers it is sent to, and keeps the bytes it was read from.
 * {@code ServerWriteBenchmark} (benchmarks module) measures the write.
 *
 * <p>Only when nothing after the frame encoder needs frame objects: a client masks every frame
 * with a key of its own, and per-message deflate compresses {@code WebSocketFrame}s, so neither
 * writes these (see {@link NettyWebSocketConnection}).
 */
final class ServerFrameEncoder {

  /** See {@link EncodedFrames}: written as it is, in a direct buffer that writes never release. */
  private static final ByteBuf EMPTY_PING =
      Unpooled.unreleasableBuffer(Unpooled.directBuffer(2, 2).writeBytes(EncodedFrames.serverEmptyPing()));

  private static final int FIN = 0x80;
  private static final int TEXT = 0x1;
  private static final int BINARY = 0x2;
  private static final int PING = 0x9;
  private static final int PONG = 0xA;

  private ServerFrameEncoder() {}

  /**
   * {@code frame} as a server writes it on the wire, in a buffer of {@code alloc}'s that the
   * write releases.
   *
   * @throws IllegalArgumentException for a close frame, which goes out with {@code close}
   */
  static ByteBuf encode(ByteBufAllocator alloc, WsFrame frame) {
    if (frame instanceof WsFrame.Text text) {
      return withPayload(alloc, TEXT, text.asByteBuffer());
    }
    if (EncodedFrames.isEmptyPing(frame)) {
      return EMPTY_PING.duplicate();
    }
    if (frame instanceof WsFrame.Binary binary) {
      return withPayload(alloc, BINARY, binary.asByteBuffer());
    }
    if (frame instanceof WsFrame.Ping ping) {
      return withPayload(alloc, PING, ping.asByteBuffer());
    }
    if (frame instanceof WsFrame.Pong pong) {
      return withPayload(alloc, PONG, pong.asByteBuffer());
    }
    throw new IllegalArgumentException("frames: send a close with close(CloseStatus), not as a frame");
  }

  private static ByteBuf withPayload(ByteBufAllocator alloc, int opcode, ByteBuffer payload) {
    return header(alloc, opcode, payload.remaining()).writeBytes(payload);
  }

  /** A buffer with room for the whole frame, holding its header: 2, 4 or 10 bytes by length. */
  private static ByteBuf header(ByteBufAllocator alloc, int opcode, int length) {
    if (length <= 125) {
      return alloc.buffer(2 + length).writeByte(FIN | opcode).writeByte(length);
    }
    if (length <= 0xFFFF) {
      return alloc.buffer(4 + length).writeByte(FIN | opcode).writeByte(126).writeShort(length);
    }
    return alloc.buffer(10 + length).writeByte(FIN | opcode).writeByte(127).writeLong(length);
  }
}
