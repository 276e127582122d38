package dev.heartbeat.reconnect;

/**
 * What {@link ReconnectingSession#send} does when the outbound queue is full (while offline, or
 * while the connection asks for no more frames). Every frame that is not sent is reported as a
 * {@link ConnectionEvent.MessageDropped} and counted in
 * {@link ReconnectingSession#droppedCount()}. By default {@link #FAIL}.
 */
public enum OverflowRule {
  /** The new frame is refused: its {@code send} errors with {@link OfflineQueueFullException}. */
  FAIL,
  /** The oldest queued frame is dropped to make room; the new frame's {@code send} completes. */
  DROP_OLDEST,
  /** The new frame is dropped; its {@code send} completes, as the rule asks. */
  DROP_NEWEST
}
