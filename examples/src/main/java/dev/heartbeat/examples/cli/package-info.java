/** A command-line WebSocket client that stays connected, printing one line per event. */
@NullMarked
package dev.heartbeat.examples.cli;

import org.jspecify.annotations.NullMarked;
