/**
 * Heartbeat on Vert.x 5: WebSocket client and server adapters of the core's transport SPI, with
 * heartbeat timers on each connection's Vert.x context.
 */
module dev.heartbeat.vertx {
  requires transitive dev.heartbeat.core;
  requires transitive io.vertx.core;
  requires io.netty.buffer;
  requires io.netty.common;
  requires io.netty.codec.http;
  requires io.netty.transport;

  exports dev.heartbeat.vertx;
}
