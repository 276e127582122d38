package dev.heartbeat;

/** What this side believes about its peer, read from the clock at each sweep. */
public enum PeerState {
  /** Heard from within two intervals. */
  HEALTHY,
  /** Silent for two intervals or more: at least one heartbeat went unanswered. */
  SUSPECT,
  /** Silent for the whole timeout: the connection was closed with 4408. */
  DEAD
}
