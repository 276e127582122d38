package dev.heartbeat.transport;

import reactor.core.publisher.Mono;

/** A running server: where it listens and how to stop it. */
public interface ServerHandle {

  /** The port it is bound to (the real one when it was started on port 0), or -1 in memory. */
  int port();

  /**
   * Stops accepting, then closes every open connection with {@code 1001 going away}: the
   * listening socket is closed before the first 1001 is sent, so a client that reconnects at
   * once is refused by TCP and waits out its backoff. Completes when the connections are closed
   * (or dropped after the transport's grace period) and the port can be bound again.
   */
  Mono<Void> shutdown();
}
