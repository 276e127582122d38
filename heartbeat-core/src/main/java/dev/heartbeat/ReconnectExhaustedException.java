package dev.heartbeat;

import java.util.Objects;

/**
 * A reconnecting client gave up: it made its maximum number of reconnect attempts since the
 * last backoff reset and the last one failed too. The {@linkplain #getCause() cause} is that
 * last failure.
 */
public final class ReconnectExhaustedException extends HeartbeatException {

  private static final long serialVersionUID = 1L;

  private final int attempts;

  private ReconnectExhaustedException(int attempts, Throwable lastCause) {
    super("gave up after " + attempts + " reconnect attempt" + (attempts == 1 ? "" : "s")
        + ", last failure: " + lastCause, lastCause);
    this.attempts = attempts;
  }

  /** Gave up after {@code attempts} reconnect attempts; {@code lastCause} is the last failure. */
  public static ReconnectExhaustedException after(int attempts, Throwable lastCause) {
    Objects.requireNonNull(lastCause, "lastCause");
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts: must not be negative, got " + attempts);
    }
    return new ReconnectExhaustedException(attempts, lastCause);
  }

  /** How many reconnect attempts were made before giving up. */
  public int attempts() {
    return attempts;
  }

  /** The failure after which it gave up (also {@link #getCause()}). */
  public Throwable lastCause() {
    Throwable cause = getCause();
    return cause != null ? cause : this;
  }
}
