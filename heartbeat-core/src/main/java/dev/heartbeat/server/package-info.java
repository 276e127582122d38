/**
 * The server role: a registry of live connections with close causes and heartbeat figures,
 * one session per key (4500 takeover), broadcast through bounded per-connection buffers,
 * graceful shutdown, and monitoring (snapshots, an overload alarm, Micrometer meters).
 */
@NullMarked
package dev.heartbeat.server;

import org.jspecify.annotations.NullMarked;
