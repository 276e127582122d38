package dev.heartbeat;

import dev.heartbeat.transport.WebSocketConnection;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * A connection under a {@link HeartbeatPolicy}: the same contract as
 * {@link WebSocketConnection}, where {@link #receive()} carries only application frames (no
 * heartbeat, answer, ping or pong) and errors with {@link HeartbeatTimeoutException} when the
 * peer is declared dead, plus what the heartbeats tell about the peer.
 *
 * <p>Cancelling {@link #receive()} closes the connection with 1000. Until {@code receive()} is
 * subscribed, a bounded number of application frames is held; while that buffer is full the
 * connection stops reading, and the peer counts as alive, since its frames are waiting on this
 * side.
 */
public interface HeartbeatConnection extends WebSocketConnection {

  /** The policy this connection runs. */
  HeartbeatPolicy policy();

  /**
   * Heartbeat events, hot: a subscriber sees what happens after it subscribed. Completes when
   * the connection closes.
   */
  Flux<HeartbeatEvent> events();

  /** What this side believes about the peer now. */
  PeerState state();

  /** When the peer was last heard from, on {@link #scheduler()}'s monotonic clock (ns). */
  long lastSeenNanos();

  /** The last measured heartbeat round-trip time, or {@code null} before the first answer. */
  @Nullable Duration lastRtt();
}
