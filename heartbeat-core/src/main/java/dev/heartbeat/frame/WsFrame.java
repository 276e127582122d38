package dev.heartbeat.frame;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A WebSocket frame as the core sees it: the five kinds of RFC 6455 that matter to an
 * application, with no transport type in them.
 *
 * <p>Binary payloads are copied on the way in and on the way out, so a frame is an
 * immutable value that may be shared between threads and retained.
 *
 * <pre>{@code
 * WsFrame hello = WsFrame.text("hello");
 * WsFrame probe = WsFrame.ping();
 * }</pre>
 */
public sealed interface WsFrame
    permits WsFrame.Text, WsFrame.Binary, WsFrame.Ping, WsFrame.Pong, WsFrame.Close {

  /** Largest payload of a control frame (ping, pong, close), RFC 6455 §5.5. */
  int MAX_CONTROL_PAYLOAD = 125;

  /** A text frame. */
  static Text text(String text) {
    return new Text(text);
  }

  /** A binary frame; the bytes are copied. */
  static Binary binary(byte[] bytes) {
    return new Binary(bytes);
  }

  /** A ping with an empty payload. */
  static Ping ping() {
    return Ping.EMPTY;
  }

  /**
   * A ping carrying {@code payload} (at most 125 bytes); the bytes are copied. An empty payload
   * gives the one empty ping, {@link #ping()}.
   */
  static Ping ping(byte[] payload) {
    return checkControlPayload(payload).length == 0 ? Ping.EMPTY : new Ping(payload);
  }

  /**
   * A pong carrying {@code payload} (at most 125 bytes); the bytes are copied. An empty payload
   * gives one shared empty pong, so the usual answer to a heartbeat costs a transport nothing.
   */
  static Pong pong(byte[] payload) {
    return checkControlPayload(payload).length == 0 ? Pong.EMPTY : new Pong(payload);
  }

  /** A close frame carrying {@code status}. */
  static Close close(CloseStatus status) {
    return new Close(status);
  }

  /** Whether this is a control frame (ping, pong, close) rather than a data frame. */
  default boolean isControl() {
    return false;
  }

  /** A UTF-8 text data frame. */
  record Text(String text) implements WsFrame {
    public Text {
      Objects.requireNonNull(text, "text");
    }
  }

  /** A binary data frame. */
  final class Binary implements WsFrame {
    private final byte[] bytes;

    Binary(byte[] bytes) {
      this.bytes = Objects.requireNonNull(bytes, "bytes").clone();
    }

    /** A copy of the payload. */
    public byte[] bytes() {
      return bytes.clone();
    }

    /** The payload as a read-only buffer, without copying: for writing it out. */
    public ByteBuffer asByteBuffer() {
      return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /** The payload length, without copying. */
    public int length() {
      return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Binary other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Binary[" + bytes.length + " bytes]";
    }
  }

  /** A ping control frame. */
  final class Ping implements WsFrame {
    static final Ping EMPTY = new Ping(new byte[0]);
    private final byte[] payload;

    Ping(byte[] payload) {
      this.payload = checkControlPayload(payload).clone();
    }

    /** A copy of the payload. */
    public byte[] payload() {
      return payload.clone();
    }

    /** The payload as a read-only buffer, without copying: for writing it out. */
    public ByteBuffer asByteBuffer() {
      return ByteBuffer.wrap(payload).asReadOnlyBuffer();
    }

    @Override
    public boolean isControl() {
      return true;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Ping other && Arrays.equals(payload, other.payload);
    }

    @Override
    public int hashCode() {
      return 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
      return "Ping[" + payload.length + " bytes]";
    }
  }

  /** A pong control frame: the answer to a ping, or an unsolicited heartbeat. */
  final class Pong implements WsFrame {
    static final Pong EMPTY = new Pong(new byte[0]);
    private final byte[] payload;

    Pong(byte[] payload) {
      this.payload = checkControlPayload(payload).clone();
    }

    /** A copy of the payload. */
    public byte[] payload() {
      return payload.clone();
    }

    /** The payload as a read-only buffer, without copying: for writing it out. */
    public ByteBuffer asByteBuffer() {
      return ByteBuffer.wrap(payload).asReadOnlyBuffer();
    }

    @Override
    public boolean isControl() {
      return true;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Pong other && Arrays.equals(payload, other.payload);
    }

    @Override
    public int hashCode() {
      return 17 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
      return "Pong[" + payload.length + " bytes]";
    }
  }

  /** A close control frame with its status. */
  record Close(CloseStatus status) implements WsFrame {
    public Close {
      Objects.requireNonNull(status, "status");
    }

    @Override
    public boolean isControl() {
      return true;
    }
  }

  private static byte[] checkControlPayload(byte[] payload) {
    Objects.requireNonNull(payload, "payload");
    if (payload.length > MAX_CONTROL_PAYLOAD) {
      throw new IllegalArgumentException(
          "payload: a control frame carries at most " + MAX_CONTROL_PAYLOAD + " bytes, got " + payload.length);
    }
    return payload;
  }
}
