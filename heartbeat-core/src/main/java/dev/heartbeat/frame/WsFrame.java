package dev.heartbeat.frame;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

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

  /**
   * A text frame from its UTF-8 bytes, the {@code remaining()} bytes of {@code utf8}, copied
   * once (the buffer's position is left as it was): what a transport reads off the wire. The
   * bytes are kept, so writing the frame out again (an echo, a relay) encodes nothing.
   *
   * @throws IllegalArgumentException when the bytes are not well-formed UTF-8
   */
  static Text textFromUtf8(ByteBuffer utf8) {
    return Text.fromUtf8(utf8);
  }

  /** A binary frame; the bytes are copied. */
  static Binary binary(byte[] bytes) {
    return new Binary(Objects.requireNonNull(bytes, "bytes").clone());
  }

  /**
   * A binary frame from the {@code remaining()} bytes of {@code payload}, copied once (the
   * buffer's position is left as it was): what a transport reads off the wire.
   */
  static Binary binaryFrom(ByteBuffer payload) {
    return new Binary(copy(payload, "payload"));
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

  /**
   * A UTF-8 text data frame. It holds what it was made from, the text or the UTF-8 bytes read
   * off the wire, and makes the other form once, when first asked: a frame read and written
   * out again is never decoded, and one sent to many peers is encoded once.
   */
  final class Text implements WsFrame {
    /**
     * What a transport closes with when a text message's bytes are not UTF-8: RFC 6455 §8.1
     * fails the connection, with 1007.
     */
    public static final CloseStatus NOT_UTF8 = CloseStatus.INVALID_PAYLOAD.withReason("text message not valid UTF-8");

    /** Eight bytes at a time, for the ASCII check. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    /** The text or its UTF-8 bytes, whichever the frame was made from; never changes. */
    private final Object given;
    /**
     * The text, once decoded from the bytes. A racing thread may decode it twice and may read
     * it without synchronization: a {@code String}'s fields are final, so it is never seen half-built.
     */
    private @Nullable String decoded;
    /** The UTF-8, once encoded from the text; volatile since an array's elements are not final. */
    private volatile byte @Nullable [] encoded;

    private Text(Object given, @Nullable String decoded) {
      this.given = given;
      this.decoded = decoded;
    }

    Text(String text) {
      this(Objects.requireNonNull(text, "text"), null);
    }

    static Text fromUtf8(ByteBuffer utf8) {
      byte[] bytes = copy(utf8, "utf8");
      if (isAscii(bytes)) {
        return new Text(bytes, null); // ASCII is UTF-8 as it is: decoded only if asked
      }
      String text = decodeStrictly(ByteBuffer.wrap(bytes));
      if (text == null) {
        throw new IllegalArgumentException("utf8: not well-formed UTF-8");
      }
      return new Text(bytes, text);
    }

    /**
     * Whether the {@code remaining()} bytes of {@code utf8} are well-formed UTF-8, what a text
     * message must carry (the buffer's position is left as it was): the check
     * {@link WsFrame#textFromUtf8} makes, for a transport whose own library decodes the text.
     */
    public static boolean isUtf8(ByteBuffer utf8) {
      return decodeStrictly(Objects.requireNonNull(utf8, "utf8").duplicate()) != null;
    }

    /** The text of {@code utf8}, or {@code null} when it is not well-formed UTF-8. */
    private static @Nullable String decodeStrictly(ByteBuffer utf8) {
      try {
        return StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(utf8)
            .toString();
      } catch (CharacterCodingException malformed) {
        return null;
      }
    }

    private static boolean isAscii(byte[] bytes) {
      int i = 0;
      // Four longs to a test: a quarter of the branches.
      for (; i + 4 * Long.BYTES <= bytes.length; i += 4 * Long.BYTES) {
        long any = (long) LONGS.get(bytes, i) | (long) LONGS.get(bytes, i + 8)
            | (long) LONGS.get(bytes, i + 16) | (long) LONGS.get(bytes, i + 24);
        if ((any & HIGH_BITS) != 0) {
          return false;
        }
      }
      for (; i + Long.BYTES <= bytes.length; i += Long.BYTES) {
        if (((long) LONGS.get(bytes, i) & HIGH_BITS) != 0) {
          return false;
        }
      }
      for (; i < bytes.length; i++) {
        if (bytes[i] < 0) {
          return false;
        }
      }
      return true;
    }

    /** The text. */
    public String text() {
      if (given instanceof String text) {
        return text;
      }
      String text = decoded;
      if (text == null) {
        text = new String((byte[]) given, StandardCharsets.UTF_8);
        decoded = text;
      }
      return text;
    }

    /**
     * The UTF-8 bytes as a read-only buffer, without copying: for writing the frame out. They
     * are encoded on the first call and kept.
     */
    public ByteBuffer asByteBuffer() {
      return ByteBuffer.wrap(utf8()).asReadOnlyBuffer();
    }

    private byte[] utf8() {
      if (given instanceof byte[] bytes) {
        return bytes;
      }
      byte[] bytes = encoded;
      if (bytes == null) {
        bytes = ((String) given).getBytes(StandardCharsets.UTF_8);
        encoded = bytes;
      }
      return bytes;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Text other && text().equals(other.text());
    }

    @Override
    public int hashCode() {
      return text().hashCode();
    }

    @Override
    public String toString() {
      return "Text[text=" + text() + "]";
    }
  }

  /** A binary data frame. */
  final class Binary implements WsFrame {
    private final byte[] bytes;

    /** Keeps {@code copied}, which nothing else holds. */
    private Binary(byte[] copied) {
      this.bytes = copied;
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

  /** The remaining bytes of {@code buffer} in a new array, its position left as it was. */
  private static byte[] copy(ByteBuffer buffer, String name) {
    Objects.requireNonNull(buffer, name);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(buffer.position(), bytes);
    return bytes;
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
