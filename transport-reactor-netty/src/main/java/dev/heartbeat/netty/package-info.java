/**
 * Reactor Netty adapters of the heartbeat core: {@link dev.heartbeat.netty.NettyServerTransport}
 * and {@link dev.heartbeat.netty.NettyClientTransport}, configured by
 * {@link dev.heartbeat.netty.NettyWebSocketSpec}. No heartbeat, codec or reconnect logic lives
 * here: the adapters map frames, close statuses and the event loop to the core's SPI.
 */
@NullMarked
package dev.heartbeat.netty;

import org.jspecify.annotations.NullMarked;
