package dev.heartbeat;

import dev.heartbeat.internal.HeartbeatSession;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import java.util.Objects;
import java.util.function.Function;

/**
 * Operator factories that put a {@link WebSocketConnection} under a {@link HeartbeatPolicy}:
 * heartbeats sent per the policy, the peer's heartbeats answered, heartbeat frames kept out of
 * the application's stream and reported as {@link HeartbeatEvent}s, and a silent peer closed
 * with 4408 and reported as {@link HeartbeatTimeoutException}.
 *
 * <p>Connections on the same scheduler share one periodic sweep, so a connection owns no timer
 * and an inbound frame costs a timestamp write. Every timer is released when the connection
 * closes, fails or is cancelled.
 *
 * <pre>{@code
 * // client
 * Mono<HeartbeatConnection> connection = transport.connect().map(Heartbeat.operator(policy));
 * // server
 * serverTransport.start(Heartbeat.handler(policy, session -> session.send(session.receive())));
 * }</pre>
 */
public final class Heartbeat {

  private Heartbeat() {}

  /**
   * A function that puts each connection under {@code policy}. Its side (client or server)
   * comes from the connection's handshake and decides whether it sends.
   */
  public static Function<WebSocketConnection, HeartbeatConnection> operator(HeartbeatPolicy policy) {
    Objects.requireNonNull(policy, "policy");
    return connection -> HeartbeatSession.apply(Objects.requireNonNull(connection, "connection"), policy);
  }

  /** A server handler that puts each accepted connection under {@code policy}, then runs {@code handler}. */
  public static SessionHandler<WebSocketConnection> handler(
      HeartbeatPolicy policy, SessionHandler<? super HeartbeatConnection> handler) {
    Objects.requireNonNull(handler, "handler");
    Function<WebSocketConnection, HeartbeatConnection> operator = operator(policy);
    return connection -> handler.handle(operator.apply(connection));
  }
}
