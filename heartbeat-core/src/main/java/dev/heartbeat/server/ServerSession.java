package dev.heartbeat.server;

import dev.heartbeat.HeartbeatConnection;
import dev.heartbeat.frame.WsFrame;
import org.jspecify.annotations.Nullable;

/**
 * A connection accepted through a {@link ConnectionRegistry}: a {@link HeartbeatConnection}
 * with an id, a key, and a bounded outbound buffer for messages pushed to it (broadcast).
 */
public interface ServerSession extends HeartbeatConnection {

  /** The registry's id for this connection. */
  String id();

  /** The session key from the registry's {@link SessionKeyPolicy}, or null. */
  @Nullable String key();

  /**
   * Queues {@code frame} in this connection's bounded outbound buffer, without waiting. When
   * the buffer is full (the peer does not read), the registry's {@link SlowConsumerAction}
   * applies: the connection is closed with 1008, or the frame is dropped and counted.
   *
   * @return whether the frame was queued
   */
  boolean offer(WsFrame frame);

  /** This connection's figures now. */
  ConnectionInfo info();
}
