/** Transport-neutral WebSocket frames and close statuses. */
@NullMarked
package dev.heartbeat.frame;

import org.jspecify.annotations.NullMarked;
