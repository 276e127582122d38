package dev.heartbeat.server;

/** What happens when a connection's bounded outbound buffer is full (the peer does not read). */
public enum SlowConsumerAction {
  /** Close it with 1008 policy violation: the default, so a slow client cannot hold memory. */
  CLOSE,
  /** Drop the message that did not fit, count it, and keep the connection. */
  DROP
}
