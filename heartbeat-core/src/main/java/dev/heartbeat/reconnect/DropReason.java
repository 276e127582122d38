package dev.heartbeat.reconnect;

/** Why a frame given to {@link ReconnectingSession#send} was not sent. */
public enum DropReason {
  /** The queue was full under {@link OverflowRule#FAIL}: the frame was refused and its send errored. */
  REJECTED,
  /** The queue was full under {@link OverflowRule#DROP_OLDEST}: this queued frame made room for a newer one. */
  OLDEST_EVICTED,
  /** The queue was full under {@link OverflowRule#DROP_NEWEST}: this new frame was dropped. */
  NEWEST_DISCARDED,
  /** The session ended (closed, terminal close, gave up) with this frame still queued. */
  SESSION_ENDED
}
