/**
 * The transport SPI: the connection contract every adapter implements, and the client and
 * server entry points that Reactor Netty and Vert.x modules provide.
 */
@NullMarked
package dev.heartbeat.transport;

import org.jspecify.annotations.NullMarked;
