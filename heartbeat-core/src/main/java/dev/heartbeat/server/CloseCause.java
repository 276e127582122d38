package dev.heartbeat.server;

import dev.heartbeat.frame.CloseStatus;

/** Why a connection closed, read from its close code; the {@code cause} tag of the closed counter. */
public enum CloseCause {
  /** 1000: the purpose was fulfilled, by either side. */
  NORMAL,
  /** 4408: the peer stayed silent past the heartbeat timeout. */
  HEARTBEAT_TIMEOUT,
  /** 4500 (or the configured takeover code): a newer connection with the same key replaced it. */
  SUPERSEDED,
  /** 1008, or 1003/1007 for refused input: a policy or a message was violated. */
  POLICY,
  /** 1009: a message was too big. */
  TOO_BIG,
  /** 1001: the server (or the client) went away, as in a graceful shutdown. */
  SHUTDOWN,
  /** Anything else: 1006 drops, 1011 handler failures, 1002 protocol errors, unknown codes. */
  ERROR;

  /** The cause of a close with {@code status}, taking {@code supersededCode} as a takeover. */
  public static CloseCause of(CloseStatus status, int supersededCode) {
    int code = status.code();
    if (code == supersededCode) {
      return SUPERSEDED;
    }
    switch (code) {
      case 1000:
        return NORMAL;
      case 1001:
        return SHUTDOWN;
      case 1003:
      case 1007:
      case 1008:
        return POLICY;
      case 1009:
        return TOO_BIG;
      case 4408:
        return HEARTBEAT_TIMEOUT;
      default:
        return ERROR;
    }
  }

  /** The tag value used in metrics: lower case with dashes, such as {@code heartbeat-timeout}. */
  public String tag() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
