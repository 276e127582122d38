/**
 * The Vert.x 5 transport: {@link dev.heartbeat.vertx.VertxServerTransport} accepts WebSockets
 * (standalone, or mounted on your own {@code HttpServer} beside ordinary HTTP routes),
 * {@link dev.heartbeat.vertx.VertxClientTransport} opens them, and
 * {@link dev.heartbeat.vertx.VertxWebSocketOptions} holds the few Vert.x specific settings.
 *
 * <p>Every connection runs on its Vert.x context: frames are read and written there, and the
 * connection's {@link dev.heartbeat.transport.WebSocketConnection#scheduler() scheduler} fires
 * heartbeat timers there too, so connections on one event loop share one heartbeat sweep and
 * no Reactor thread touches a Vert.x object.
 */
@NullMarked
package dev.heartbeat.vertx;

import org.jspecify.annotations.NullMarked;
