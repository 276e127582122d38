package dev.heartbeat;

import java.time.Duration;
import java.util.Objects;

/**
 * A connect, or its opening handshake, did not complete within the connect timeout: the server
 * may be down behind a proxy that accepts TCP, or too busy to answer. The attempt was abandoned
 * and is worth another one.
 */
public final class ConnectTimeoutException extends HeartbeatException {

  private static final long serialVersionUID = 1L;

  private final Duration timeout;

  private ConnectTimeoutException(Duration timeout) {
    super("connect and handshake did not complete within " + timeout.toMillis() + " ms", null);
    this.timeout = timeout;
  }

  /** The connect was abandoned after {@code timeout}. */
  public static ConnectTimeoutException after(Duration timeout) {
    return new ConnectTimeoutException(Objects.requireNonNull(timeout, "timeout"));
  }

  /** The connect timeout that passed. */
  public Duration timeout() {
    return timeout;
  }
}
