package dev.heartbeat.vertx;

import dev.heartbeat.transport.HandshakeInfo;
import reactor.core.publisher.Mono;

/**
 * Decides, before the upgrade, whether a server accepts a WebSocket handshake: an expired
 * token is refused with 401 or 403 while the connection is still plain HTTP, so the client's
 * {@code connect()} fails with that status and no WebSocket is ever opened.
 *
 * <p>The decision may be asynchronous (a token lookup); it MUST NOT block. An error rejects with
 * 500. The {@link HandshakeInfo} it sees has no subprotocol yet: none is agreed before the
 * upgrade.
 *
 * <pre>{@code
 * HandshakeFilter tokens = handshake -> handshake.header("authorization") == null
 *     ? Mono.just(401)   // reject
 *     : Mono.empty();    // accept
 * }</pre>
 */
@FunctionalInterface
public interface HandshakeFilter {

  /** Accepts every handshake: the default. */
  static HandshakeFilter acceptAll() {
    return handshake -> Mono.empty();
  }

  /**
   * Completes empty to accept {@code handshake}, or emits the HTTP status (400–599) to reject it
   * with.
   */
  Mono<Integer> check(HandshakeInfo handshake);
}
