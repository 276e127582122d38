package dev.heartbeat.reconnect;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.transport.WebSocketConnection;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What happens to a {@link ReconnectingSession}, in order. A reconnect after a drop reads
 * <pre>{@code
 * Disconnected(1006, null, willReconnect=true)
 * ReconnectScheduled(attempt=1, delay=0.73s)
 * Connecting(1)
 * Connected(connection, 1)
 * }</pre>
 * and a failed connect is followed by the next {@code ReconnectScheduled} (there is no
 * {@code Disconnected}, since nothing was connected). The last event of a session is one of
 * {@link Closed} (the application closed it), {@link Disconnected} with
 * {@code willReconnect=false} (a terminal close such as 4500 or 1008), or {@link GaveUp}.
 */
public sealed interface ConnectionEvent {

  /**
   * A connect starts. {@code attempt} is 0 for the first connect, then the number of the
   * reconnect attempt since the last backoff reset (1, 2, ...).
   */
  record Connecting(int attempt) implements ConnectionEvent {}

  /** A connection is open (after the decorator), and carries the session from now on. */
  record Connected(WebSocketConnection connection, int attempt) implements ConnectionEvent {
    public Connected {
      Objects.requireNonNull(connection, "connection");
    }
  }

  /**
   * The connection ended with {@code status}. {@code cause} is the error that ended it when one
   * is known (a failed read, a heartbeat timeout), else null. {@code willReconnect} tells
   * whether a {@link ReconnectScheduled} follows; when false, the session ends.
   */
  record Disconnected(CloseStatus status, @Nullable Throwable cause, boolean willReconnect) implements ConnectionEvent {
    public Disconnected {
      Objects.requireNonNull(status, "status");
    }
  }

  /** Reconnect attempt {@code attempt} (from 1) starts after {@code delay}. */
  record ReconnectScheduled(int attempt, Duration delay) implements ConnectionEvent {
    public ReconnectScheduled {
      Objects.requireNonNull(delay, "delay");
    }
  }

  /**
   * The session gave up and ended: {@code cause} is a
   * {@link dev.heartbeat.ReconnectExhaustedException} after the maximum attempts, or the error
   * that is not worth a reconnect.
   */
  record GaveUp(Throwable cause) implements ConnectionEvent {
    public GaveUp {
      Objects.requireNonNull(cause, "cause");
    }
  }

  /** A frame given to {@code send} was not and will not be sent. Every drop is reported. */
  record MessageDropped(WsFrame frame, DropReason reason) implements ConnectionEvent {
    public MessageDropped {
      Objects.requireNonNull(frame, "frame");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** The application closed the session; it ends here. */
  record Closed() implements ConnectionEvent {}
}
