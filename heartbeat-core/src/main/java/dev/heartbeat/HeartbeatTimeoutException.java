package dev.heartbeat;

import java.time.Duration;

/**
 * The peer stayed silent for the policy's whole timeout: no frame (or no answer, with
 * {@link HeartbeatPolicy.Liveness#ANSWERS_ONLY}) arrived. The connection was closed with
 * {@link dev.heartbeat.frame.CloseStatus#HEARTBEAT_TIMEOUT 4408}. This is how a half-open TCP
 * connection, which never reports a close by itself, is found.
 */
public final class HeartbeatTimeoutException extends HeartbeatException {

  private static final long serialVersionUID = 1L;

  private final transient HeartbeatPolicy policy;
  private final long lastSeenNanos;
  private final Duration silence;

  private HeartbeatTimeoutException(HeartbeatPolicy policy, long lastSeenNanos, Duration silence) {
    super("peer silent for " + silence.toMillis() + " ms, timeout " + policy.timeout().toMillis()
        + " ms (interval " + policy.interval().toMillis() + " ms, codec " + policy.codec().name() + ")", null);
    this.policy = policy;
    this.lastSeenNanos = lastSeenNanos;
    this.silence = silence;
  }

  /**
   * The peer was last heard from at {@code lastSeenNanos} on the connection's monotonic clock
   * and declared dead at {@code nowNanos}.
   */
  public static HeartbeatTimeoutException after(HeartbeatPolicy policy, long lastSeenNanos, long nowNanos) {
    return new HeartbeatTimeoutException(policy, lastSeenNanos, Duration.ofNanos(nowNanos - lastSeenNanos));
  }

  /** The policy whose timeout passed. */
  public HeartbeatPolicy policy() {
    return policy;
  }

  /** When the peer was last heard from, on the connection scheduler's monotonic clock (ns). */
  public long lastSeenNanos() {
    return lastSeenNanos;
  }

  /** How long the peer had been silent when it was declared dead. */
  public Duration silence() {
    return silence;
  }
}
