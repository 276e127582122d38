package dev.heartbeat.transport;

import dev.heartbeat.frame.WsFrame;

/**
 * Frames a server transport may write as bytes encoded once, past its frame encoder: the
 * ping-frame format's heartbeat is the same two bytes on every connection, and at 15,000 idle
 * connections encoding it anew (a pooled buffer, a frame object, the encoder) was about a tenth
 * of a server's Java samples. Only for a server: a client masks every frame with a key of its
 * own (RFC 6455 §5.3), so its frames go through the encoder.
 */
public final class EncodedFrames {

  private static final WsFrame EMPTY_PING = WsFrame.ping();

  private EncodedFrames() {}

  /**
   * Whether {@code frame} is the empty ping {@link #serverEmptyPing()} encodes: the one
   * {@link WsFrame#ping()} returns, the heartbeat of the ping-frame format.
   */
  public static boolean isEmptyPing(WsFrame frame) {
    return frame == EMPTY_PING;
  }

  /** A server's empty ping (RFC 6455 §5.2): FIN and opcode 9, no mask, no payload. A new array each call. */
  public static byte[] serverEmptyPing() {
    return new byte[] {(byte) 0x89, 0x00};
  }
}
