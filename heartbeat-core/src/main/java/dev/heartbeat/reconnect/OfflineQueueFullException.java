package dev.heartbeat.reconnect;

import dev.heartbeat.HeartbeatException;
import dev.heartbeat.frame.WsFrame;
import java.util.Objects;

/**
 * A frame was refused because the session's outbound queue was full and its rule is
 * {@link OverflowRule#FAIL}: the session is offline (or the connection is not reading) and
 * {@code capacity} frames are already waiting.
 */
public final class OfflineQueueFullException extends HeartbeatException {

  private static final long serialVersionUID = 1L;

  private final transient WsFrame frame;
  private final int capacity;

  private OfflineQueueFullException(WsFrame frame, int capacity) {
    super("outbound queue full (" + capacity + " frames waiting), refused " + frame, null);
    this.frame = frame;
    this.capacity = capacity;
  }

  /** {@code frame} was refused by a queue of {@code capacity} frames. */
  public static OfflineQueueFullException of(WsFrame frame, int capacity) {
    return new OfflineQueueFullException(Objects.requireNonNull(frame, "frame"), capacity);
  }

  /** The refused frame. */
  public WsFrame frame() {
    return frame;
  }

  /** The queue's capacity. */
  public int capacity() {
    return capacity;
  }
}
