package dev.heartbeat;

import dev.heartbeat.frame.CloseStatus;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A connection that was open has ended: with which status, whether this side's application
 * asked for it, and how long it had been up. A reconnecting client decides from these facts
 * whether to connect again (see {@code ReconnectStrategy.shouldReconnect}), and resets its
 * backoff when the connection stayed up long enough.
 *
 * <pre>{@code
 * throw ConnectionClosedException.of(CloseStatus.ABNORMAL, false, Duration.ofSeconds(42));
 * }</pre>
 */
public final class ConnectionClosedException extends HeartbeatException {

  private static final long serialVersionUID = 1L;

  // The code and reason, not the CloseStatus, so that the exception stays serializable.
  private final int code;
  private final String reason;
  private final boolean byApplication;
  private final Duration uptime;

  private ConnectionClosedException(CloseStatus status, boolean byApplication, Duration uptime, @Nullable Throwable cause) {
    super("connection closed with " + status + " after " + uptime.toMillis() + " ms"
        + (byApplication ? " (the application closed it)" : "")
        + (cause == null ? "" : ": " + cause), cause);
    this.code = status.code();
    this.reason = status.reason();
    this.byApplication = byApplication;
    this.uptime = uptime;
  }

  /**
   * The connection ended with {@code status} after {@code uptime}; {@code byApplication} is
   * true when this side's application closed it.
   */
  public static ConnectionClosedException of(CloseStatus status, boolean byApplication, Duration uptime) {
    return of(status, byApplication, uptime, null);
  }

  /**
   * As {@link #of(CloseStatus, boolean, Duration)}, with the error that ended it (a failed read,
   * a {@link HeartbeatTimeoutException}), or {@code null}.
   */
  public static ConnectionClosedException of(
      CloseStatus status, boolean byApplication, Duration uptime, @Nullable Throwable cause) {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(uptime, "uptime");
    if (uptime.isNegative()) {
      throw new IllegalArgumentException("uptime: must not be negative, got " + uptime);
    }
    return new ConnectionClosedException(status, byApplication, uptime, cause);
  }

  /** The status the connection closed with, as reported by its {@code onClose()}. */
  public CloseStatus status() {
    return CloseStatus.received(code, reason);
  }

  /** Whether this side's application asked for the close: such a close is never reconnected. */
  public boolean byApplication() {
    return byApplication;
  }

  /** How long the connection had been open when it ended. */
  public Duration uptime() {
    return uptime;
  }
}
