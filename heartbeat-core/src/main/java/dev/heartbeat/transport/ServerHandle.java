package dev.heartbeat.transport;

import reactor.core.publisher.Mono;

/** A running server: where it listens and how to stop it. */
public interface ServerHandle {

  /** The port it is bound to (the real one when it was started on port 0), or -1 in memory. */
  int port();

  /**
   * Closes the listening socket and completes once the port can be bound again; open
   * connections stay open. Call it first when you close them yourself, with a reason of your
   * own ({@code ConnectionRegistry.shutdown}): a client that reconnects at once is then refused
   * by TCP and waits out its backoff, instead of reaching a server on its way out.
   *
   * <pre>{@code
   * server.stopAccepting()
   *     .then(registry.shutdown(CloseStatus.GOING_AWAY.withReason("deploy"), Duration.ofSeconds(5)))
   *     .then(server.shutdown())
   *     .block();
   * }</pre>
   *
   * Idempotent. A transport may start its own shutdown grace period here, after which it drops
   * the connections still open; its handle says so.
   */
  Mono<Void> stopAccepting();

  /**
   * {@link #stopAccepting()}, then closes every open connection with {@code 1001 going away};
   * completes when they are closed (or dropped after the transport's grace period).
   */
  Mono<Void> shutdown();
}
