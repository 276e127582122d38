/**
 * Heartbeat core: transport-neutral heartbeats, codecs, reconnection and server support as
 * Project Reactor operators. No Netty or Vert.x type.
 */
module dev.heartbeat.core {
  requires transitive reactor.core;
  requires transitive org.reactivestreams;
  requires transitive com.fasterxml.jackson.databind;
  requires static transitive org.jspecify;
  requires static micrometer.core;
  requires java.management;

  exports dev.heartbeat;
  exports dev.heartbeat.codec;
  exports dev.heartbeat.frame;
  exports dev.heartbeat.local;
  exports dev.heartbeat.reconnect;
  exports dev.heartbeat.server;
  exports dev.heartbeat.transport;
  // The builders' shared checks, for the transport modules' own builders; no compatibility promise.
  exports dev.heartbeat.internal to dev.heartbeat.netty, dev.heartbeat.vertx;
}
