/**
 * Heartbeat on Reactor Netty: a client transport, a server transport (standalone, or mounted on
 * an application's routes) and their spec. The connection class that maps Netty frames to the
 * core's is internal.
 */
module dev.heartbeat.netty {
  requires transitive dev.heartbeat.core;
  requires transitive reactor.netty.http;
  requires transitive reactor.netty.core;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires io.netty.common;
  requires io.netty.transport;

  exports dev.heartbeat.netty;
}
