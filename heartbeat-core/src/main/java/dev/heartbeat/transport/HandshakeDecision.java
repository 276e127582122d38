package dev.heartbeat.transport;

import java.util.Objects;

/**
 * What a {@link HandshakeCheck} decided about an upgrade request: accept it, or answer with an
 * HTTP status (401, 403, ...) and no upgrade.
 *
 * @param accepted whether the upgrade goes ahead
 * @param status the HTTP status of a rejection (101 when accepted)
 * @param reason a short reason for logs and the response body; never a secret
 */
public record HandshakeDecision(boolean accepted, int status, String reason) {

  private static final HandshakeDecision ACCEPT = new HandshakeDecision(true, 101, "");

  public HandshakeDecision {
    Objects.requireNonNull(reason, "reason");
    if (!accepted && (status < 400 || status > 599)) {
      throw new IllegalArgumentException("status: a rejection is a 4xx or 5xx status, got " + status);
    }
  }

  /** Upgrade. */
  public static HandshakeDecision accept() {
    return ACCEPT;
  }

  /** No upgrade: answer {@code status} with {@code reason}. */
  public static HandshakeDecision reject(int status, String reason) {
    return new HandshakeDecision(false, status, reason);
  }
}
