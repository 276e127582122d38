package dev.heartbeat.transport;

import reactor.core.publisher.Mono;

/** A running server: where it listens and how to stop it. */
public interface ServerHandle {

  /** The port it is bound to (the real one when it was started on port 0), or -1 in memory. */
  int port();

  /**
   * Stops accepting and closes every open connection with {@code 1001 going away}; completes
   * when they are closed.
   */
  Mono<Void> shutdown();
}
