package dev.heartbeat.transport;

import reactor.core.publisher.Mono;

/**
 * Opens client connections. Each subscription to {@link #connect()} opens a new connection, so
 * a reconnecting session re-subscribes it for every attempt.
 */
@FunctionalInterface
public interface ClientTransport {

  /**
   * A {@code Mono} that opens one connection per subscription: it emits the connection once
   * the handshake completed, or errors when the connect or the handshake failed. Cancelling it
   * before it emits MUST abandon the attempt and release its socket.
   */
  Mono<? extends WebSocketConnection> connect();
}
