/**
 * The Heartbeat test kit: the conformance suite every transport module runs, and helpers for
 * real-socket tests. The in-memory connection pair with fault injection lives in the core
 * ({@code dev.heartbeat.local}) so that the core's own tests can use it.
 */
module dev.heartbeat.test {
  requires transitive dev.heartbeat.core;
  requires transitive org.junit.jupiter.api;
  requires transitive org.junit.jupiter.params;
  requires transitive reactor.test;
  requires micrometer.core;

  exports dev.heartbeat.test;
}
