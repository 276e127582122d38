/**
 * Heartbeats as Reactor operators: {@link dev.heartbeat.HeartbeatPolicy} says what to send and
 * when the peer is dead, {@link dev.heartbeat.Heartbeat} applies it to any
 * {@link dev.heartbeat.transport.WebSocketConnection}.
 */
@NullMarked
package dev.heartbeat;

import org.jspecify.annotations.NullMarked;
