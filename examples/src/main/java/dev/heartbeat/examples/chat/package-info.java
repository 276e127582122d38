/** The main demo: a chat room with a live dashboard of the server's connections. */
@NullMarked
package dev.heartbeat.examples.chat;

import org.jspecify.annotations.NullMarked;
