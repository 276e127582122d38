package dev.heartbeat.frame;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The code and reason of a WebSocket close, RFC 6455 §7.4.
 *
 * <p>Two ways in: {@link #of(int, String)} builds a status this side may <em>send</em> and
 * refuses the codes RFC 6455 reserves (below 1000, 1004, 1005, 1006, 1015, 1016–2999, above
 * 4999) and reasons over 123 UTF-8 bytes; {@link #received(int, String)} records whatever a
 * peer or the transport reported, any code at all, so that it can be reported as it came.
 *
 * <pre>{@code
 * connection.close(CloseStatus.of(4001, "token expired"));
 * }</pre>
 */
public final class CloseStatus {

  /** Longest reason a close frame can carry: 125 payload bytes less the 2-byte code. */
  public static final int MAX_REASON_BYTES = 123;

  /** 1000: the purpose of the connection is fulfilled. */
  public static final CloseStatus NORMAL = new CloseStatus(1000, "");
  /** 1001: the endpoint is going away (server shutdown, page navigation); clients reconnect. */
  public static final CloseStatus GOING_AWAY = new CloseStatus(1001, "going away");
  /** 1002: the peer broke the protocol. */
  public static final CloseStatus PROTOCOL_ERROR = new CloseStatus(1002, "protocol error");
  /** 1003: a frame of a kind this endpoint does not accept. */
  public static final CloseStatus UNSUPPORTED_DATA = new CloseStatus(1003, "unsupported data");
  /** 1005, received only: the peer's close frame carried no code. */
  public static final CloseStatus NO_STATUS = new CloseStatus(1005, "");
  /** 1006, received only: the connection dropped without a close frame. */
  public static final CloseStatus ABNORMAL = new CloseStatus(1006, "connection dropped");
  /** 1007: a message's payload was not what its type promised (malformed JSON, bad UTF-8). */
  public static final CloseStatus INVALID_PAYLOAD = new CloseStatus(1007, "invalid payload");
  /** 1008: the peer violated a policy; clients treat it as terminal by default. */
  public static final CloseStatus POLICY_VIOLATION = new CloseStatus(1008, "policy violation");
  /** 1009: a message was larger than this endpoint accepts. */
  public static final CloseStatus TOO_BIG = new CloseStatus(1009, "message too big");
  /** 1011: this endpoint hit an unexpected condition. */
  public static final CloseStatus INTERNAL_ERROR = new CloseStatus(1011, "internal error");
  /** 1012: the service is restarting; clients reconnect. */
  public static final CloseStatus SERVICE_RESTART = new CloseStatus(1012, "service restart");
  /** 1013: try again later; clients reconnect after a longer delay. */
  public static final CloseStatus TRY_AGAIN_LATER = new CloseStatus(1013, "try again later");
  /**
   * 4408: the peer stayed silent past the heartbeat timeout. In the private range (4000–4999);
   * 408 echoes HTTP's Request Timeout. Clients reconnect after it.
   */
  public static final CloseStatus HEARTBEAT_TIMEOUT = new CloseStatus(4408, "heartbeat timeout");
  /**
   * 4500: a newer connection with the same key (user, device) replaced this one, as when a user
   * opens a second browser tab. Clients treat it as terminal by default.
   */
  public static final CloseStatus SUPERSEDED = new CloseStatus(4500, "superseded by a newer connection");

  private final int code;
  private final String reason;

  private CloseStatus(int code, String reason) {
    this.code = code;
    this.reason = reason;
  }

  /**
   * A status this endpoint may send.
   *
   * @throws IllegalArgumentException naming {@code code} when RFC 6455 forbids sending it, or
   *     {@code reason} when it is longer than 123 UTF-8 bytes
   */
  public static CloseStatus of(int code, String reason) {
    Objects.requireNonNull(reason, "reason");
    if (!isSendable(code)) {
      throw new IllegalArgumentException("code: " + code + " may not be sent in a close frame ("
          + (isReceivedOnly(code) ? "RFC 6455 reserves it for reporting only" : "outside 1000-1003, 1007-1014, 3000-4999")
          + ")");
    }
    int bytes = reason.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_REASON_BYTES) {
      throw new IllegalArgumentException(
          "reason: at most " + MAX_REASON_BYTES + " UTF-8 bytes fit in a close frame, got " + bytes);
    }
    return new CloseStatus(code, reason);
  }

  /** A status this endpoint may send, with an empty reason. */
  public static CloseStatus of(int code) {
    return of(code, "");
  }

  /**
   * A status as reported by a peer or a transport, accepted whatever its code so that it can be
   * reported faithfully. A {@code null} reason becomes empty.
   */
  public static CloseStatus received(int code, String reason) {
    return new CloseStatus(code, reason == null ? "" : reason);
  }

  /**
   * Whether RFC 6455 §7.4 lets an endpoint send {@code code}: 1000–1003, 1007–1014 and
   * 3000–4999.
   */
  public static boolean isSendable(int code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
  }

  private static boolean isReceivedOnly(int code) {
    return code == 1004 || code == 1005 || code == 1006 || code == 1015;
  }

  /** The close code. */
  public int code() {
    return code;
  }

  /** The reason, empty when none was given. */
  public String reason() {
    return reason;
  }

  /** Whether this status may be sent in a close frame; see {@link #isSendable(int)}. */
  public boolean sendable() {
    return isSendable(code);
  }

  /**
   * This status, when it may be sent in a close frame; the check every {@code close(status)}
   * makes.
   *
   * @throws IllegalArgumentException naming {@code field}, for a code reserved for reporting
   */
  public CloseStatus requireSendable(String field) {
    if (!sendable()) {
      throw new IllegalArgumentException(field + ": " + code + " may not be sent in a close frame");
    }
    return this;
  }

  /** This status with another reason; the code must be sendable. */
  public CloseStatus withReason(String reason) {
    return of(code, reason);
  }

  /** Two statuses are equal when their codes are: the reason is free text. */
  @Override
  public boolean equals(Object o) {
    return o instanceof CloseStatus other && other.code == code;
  }

  @Override
  public int hashCode() {
    return Integer.hashCode(code);
  }

  @Override
  public String toString() {
    return reason.isEmpty() ? Integer.toString(code) : code + " " + reason;
  }
}
