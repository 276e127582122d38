package dev.heartbeat.transport;

import reactor.core.publisher.Mono;

/** Accepts connections and hands each to a {@link SessionHandler}. */
@FunctionalInterface
public interface ServerTransport {

  /**
   * Starts accepting. The {@code Mono} emits once the server is bound, or errors when it could
   * not bind.
   */
  Mono<? extends ServerHandle> start(SessionHandler<WebSocketConnection> handler);
}
