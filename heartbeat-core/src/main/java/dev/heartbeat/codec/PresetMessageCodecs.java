package dev.heartbeat.codec;

import dev.heartbeat.codec.DecodeException.FrameKind;
import dev.heartbeat.frame.WsFrame;
import java.util.Objects;

/** The presets of {@link MessageCodec}. */
final class PresetMessageCodecs {

  static final MessageCodec<String> TEXT = new TextCodec();
  static final MessageCodec<byte[]> BINARY = new BinaryCodec();
  static final MessageCodec<WsFrame> FRAMES = new FrameCodec();

  private PresetMessageCodecs() {}

  /** Text frames as strings. */
  static final class TextCodec implements MessageCodec<String> {
    @Override
    public String decode(WsFrame frame) {
      if (frame instanceof WsFrame.Text text) {
        return text.text();
      }
      throw DecodeException.wrongFrameKind(frame, FrameKind.TEXT);
    }

    @Override
    public WsFrame encode(String message) {
      return WsFrame.text(Objects.requireNonNull(message, "message"));
    }

    @Override
    public String toString() {
      return "MessageCodec.text()";
    }
  }

  /** Binary frames as byte arrays. */
  static final class BinaryCodec implements MessageCodec<byte[]> {
    @Override
    public byte[] decode(WsFrame frame) {
      if (frame instanceof WsFrame.Binary binary) {
        return binary.bytes();
      }
      throw DecodeException.wrongFrameKind(frame, FrameKind.BINARY);
    }

    @Override
    public WsFrame encode(byte[] message) {
      return WsFrame.binary(Objects.requireNonNull(message, "message"));
    }

    @Override
    public String toString() {
      return "MessageCodec.binary()";
    }
  }

  /** Frames as they are. */
  static final class FrameCodec implements MessageCodec<WsFrame> {
    @Override
    public WsFrame decode(WsFrame frame) {
      return Objects.requireNonNull(frame, "frame");
    }

    @Override
    public WsFrame encode(WsFrame message) {
      return Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
      return "MessageCodec.frames()";
    }
  }
}
