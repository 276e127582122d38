package dev.heartbeat.codec;

import dev.heartbeat.HeartbeatException;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An inbound frame could not be decoded into an application message. It says why
 * ({@link #reason()}), what arrived ({@link #frameKind()}, {@link #frameSize()}, a short
 * {@link #excerpt()}, never the whole payload) and how to close the connection if that is the
 * chosen outcome ({@link #suggestedStatus()}).
 *
 * <pre>{@code
 * MessageDecoder.receive(connection, codec, DecodeErrorAction.DROP,
 *     error -> log.warn("dropped {}: {}", error.reason(), error.getMessage()));
 * }</pre>
 */
public final class DecodeException extends HeartbeatException {

  private static final long serialVersionUID = 1L;

  /** Longest {@link #excerpt()} of the payload, in characters. */
  public static final int MAX_EXCERPT_CHARS = 64;

  /** Longest detail (such as the JSON parser's complaint) carried in the message, in characters. */
  private static final int MAX_DETAIL_CHARS = 160;

  /** Why a frame could not be decoded, and the close status that fits. */
  public enum Reason {
    /** Not valid JSON, not a JSON object, bad UTF-8, or fields that do not fit the type: 1007. */
    MALFORMED(CloseStatus.INVALID_PAYLOAD),
    /** The type field is missing, or names no registered class: 1008. */
    UNKNOWN_TYPE(CloseStatus.POLICY_VIOLATION),
    /** A binary frame where text is expected, or the other way round: 1003. */
    WRONG_FRAME_KIND(CloseStatus.UNSUPPORTED_DATA),
    /** The frame is larger than the codec accepts: 1009. */
    TOO_LARGE(CloseStatus.TOO_BIG);

    private final CloseStatus suggestedStatus;

    Reason(CloseStatus suggestedStatus) {
      this.suggestedStatus = suggestedStatus;
    }

    /** The status to close the connection with for this reason. */
    public CloseStatus suggestedStatus() {
      return suggestedStatus;
    }
  }

  /** The kind of the frame that failed, for diagnostics. */
  public enum FrameKind {
    /** A text frame; its size counts characters. */
    TEXT("text", " chars"),
    /** A binary frame; its size counts bytes. */
    BINARY("binary", " bytes"),
    /** A ping frame; its size counts bytes. */
    PING("ping", " bytes"),
    /** A pong frame; its size counts bytes. */
    PONG("pong", " bytes"),
    /** A close frame; its size is the reason's UTF-8 bytes. */
    CLOSE("close", " bytes");

    private final String label;
    private final String unit;

    FrameKind(String label, String unit) {
      this.label = label;
      this.unit = unit;
    }

    /** The kind of {@code frame}. */
    public static FrameKind of(WsFrame frame) {
      Objects.requireNonNull(frame, "frame");
      if (frame instanceof WsFrame.Text) {
        return TEXT;
      }
      if (frame instanceof WsFrame.Binary) {
        return BINARY;
      }
      if (frame instanceof WsFrame.Ping) {
        return PING;
      }
      return frame instanceof WsFrame.Pong ? PONG : CLOSE;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  private final Reason reason;
  private final FrameKind frameKind;
  private final int frameSize;
  private final String excerpt;
  private final @Nullable String typeName;

  private DecodeException(Reason reason, FrameKind frameKind, int frameSize, String excerpt,
      @Nullable String typeName, String detail, @Nullable Throwable cause) {
    super(reason + ": " + frameKind + " frame of " + frameSize + frameKind.unit + ", " + cap(detail, MAX_DETAIL_CHARS)
        + (excerpt.isEmpty() ? "" : "; payload starts \"" + excerpt + "\""), cause);
    this.reason = reason;
    this.frameKind = frameKind;
    this.frameSize = frameSize;
    this.excerpt = excerpt;
    this.typeName = typeName;
  }

  /**
   * {@code frame} is not what its kind promised: not JSON, not a JSON object, bad UTF-8, or
   * fields that do not fit the chosen type. {@code detail} says what was wrong, without the
   * payload.
   */
  public static DecodeException malformed(WsFrame frame, String detail, @Nullable Throwable cause) {
    Objects.requireNonNull(detail, "detail");
    return new DecodeException(Reason.MALFORMED, FrameKind.of(frame), sizeOf(frame), excerptOf(frame, true),
        null, detail, cause);
  }

  /** {@code frame} has no string field {@code typeField}, so no class can be chosen. */
  public static DecodeException missingType(WsFrame frame, String typeField) {
    Objects.requireNonNull(typeField, "typeField");
    return new DecodeException(Reason.UNKNOWN_TYPE, FrameKind.of(frame), sizeOf(frame), excerptOf(frame, true),
        null, "no string field \"" + cap(typeField, MAX_EXCERPT_CHARS) + "\" names its type", null);
  }

  /** The field {@code typeField} of {@code frame} is {@code typeName}, which names no registered class. */
  public static DecodeException unknownType(WsFrame frame, String typeField, String typeName) {
    Objects.requireNonNull(typeField, "typeField");
    String name = cap(Objects.requireNonNull(typeName, "typeName"), MAX_EXCERPT_CHARS);
    return new DecodeException(Reason.UNKNOWN_TYPE, FrameKind.of(frame), sizeOf(frame), excerptOf(frame, true),
        name, "no class is registered for " + cap(typeField, MAX_EXCERPT_CHARS) + " \"" + name + "\"", null);
  }

  /** {@code frame} is of another kind than the {@code expected} one. */
  public static DecodeException wrongFrameKind(WsFrame frame, FrameKind expected) {
    Objects.requireNonNull(expected, "expected");
    return new DecodeException(Reason.WRONG_FRAME_KIND, FrameKind.of(frame), sizeOf(frame), excerptOf(frame, false),
        null, "a " + expected + " frame is expected", null);
  }

  /** {@code frame} is larger than {@code limit} (characters for text, bytes otherwise). */
  public static DecodeException tooLarge(WsFrame frame, int limit) {
    FrameKind kind = FrameKind.of(frame);
    return new DecodeException(Reason.TOO_LARGE, kind, sizeOf(frame), excerptOf(frame, false),
        null, "larger than the limit of " + limit + kind.unit, null);
  }

  /** Why the frame could not be decoded. */
  public Reason reason() {
    return reason;
  }

  /** The kind of the frame that failed. */
  public FrameKind frameKind() {
    return frameKind;
  }

  /** The frame's payload size: characters for a text frame, bytes otherwise. */
  public int frameSize() {
    return frameSize;
  }

  /**
   * At most {@value #MAX_EXCERPT_CHARS} characters from the start of the payload, ending in
   * {@code ...} when cut, control characters replaced by spaces; empty for a binary frame that
   * was not parsed (wrong kind, too large).
   */
  public String excerpt() {
    return excerpt;
  }

  /** The unknown type name, capped like the excerpt; {@code null} unless an unknown type was named. */
  public @Nullable String typeName() {
    return typeName;
  }

  /** The status to close the connection with: see {@link Reason}. */
  public CloseStatus suggestedStatus() {
    return reason.suggestedStatus();
  }

  private static int sizeOf(WsFrame frame) {
    if (frame instanceof WsFrame.Text text) {
      return text.text().length();
    }
    if (frame instanceof WsFrame.Binary binary) {
      return binary.length();
    }
    if (frame instanceof WsFrame.Ping ping) {
      return ping.payload().length;
    }
    if (frame instanceof WsFrame.Pong pong) {
      return pong.payload().length;
    }
    return ((WsFrame.Close) frame).status().reason().getBytes(StandardCharsets.UTF_8).length;
  }

  private static String excerptOf(WsFrame frame, boolean includeBinary) {
    if (frame instanceof WsFrame.Text text) {
      return cap(text.text(), MAX_EXCERPT_CHARS);
    }
    if (includeBinary && frame instanceof WsFrame.Binary binary) {
      byte[] head = binary.bytes();
      // A UTF-8 character takes at most 4 bytes: enough bytes for the excerpt, replacing bad ones.
      head = Arrays.copyOf(head, Math.min(head.length, MAX_EXCERPT_CHARS * 4));
      return cap(new String(head, StandardCharsets.UTF_8), MAX_EXCERPT_CHARS);
    }
    return "";
  }

  /** At most {@code max} characters of {@code s}, control characters as spaces, ending "..." when cut. */
  private static String cap(String s, int max) {
    int end = s.length() <= max ? s.length() : max - 3;
    if (end < s.length() && end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--; // do not split a surrogate pair
    }
    StringBuilder out = new StringBuilder(max);
    for (int i = 0; i < end; i++) {
      char c = s.charAt(i);
      out.append(Character.isISOControl(c) ? ' ' : c);
    }
    if (end < s.length()) {
      out.append("...");
    }
    return out.toString();
  }
}
