package dev.heartbeat;

import java.time.Duration;

/**
 * What the heartbeat machinery did or saw on one connection, for logs, dashboards and
 * metrics. Heartbeat frames themselves never reach the application's message stream: these
 * events are where they show.
 */
public sealed interface HeartbeatEvent {

  /** This side sent a heartbeat. */
  record Sent(long atNanos) implements HeartbeatEvent {}

  /** The peer answered this side's heartbeat after {@code rtt}. */
  record Answered(Duration rtt) implements HeartbeatEvent {}

  /**
   * The peer sent its own heartbeat; {@code answered} is false when the format has no answer or
   * the peer exceeded {@link HeartbeatPolicy#maxAnswersPerInterval()}.
   */
  record PeerHeartbeat(boolean answered) implements HeartbeatEvent {}

  /** The peer has missed {@code missed} heartbeats: silent for {@code silence}. */
  record Suspect(int missed, Duration silence) implements HeartbeatEvent {}

  /** A suspect peer was heard from again. */
  record Recovered() implements HeartbeatEvent {}

  /** The peer was declared dead; the connection is being closed with 4408. */
  record Dead(HeartbeatTimeoutException cause) implements HeartbeatEvent {}
}
