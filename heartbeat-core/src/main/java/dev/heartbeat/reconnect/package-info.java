/** Client-side reconnection: the strategy (on Reactor's {@code Retry}) and the session that survives reconnects. */
@NullMarked
package dev.heartbeat.reconnect;

import org.jspecify.annotations.NullMarked;
