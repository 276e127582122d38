package dev.heartbeat.transport;

import java.util.Objects;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * What a server does with each accepted connection, in the style of Reactor Netty's and Spring
 * WebFlux's WebSocket handlers: a function from the session to a {@code Publisher<Void>} that
 * completes when the session's work is done.
 *
 * <p>When the returned publisher completes the connection is closed with 1000; when it errors,
 * with 1011. A handler that wants the connection to live on returns a publisher that lasts as
 * long as the connection, such as {@code session.send(...)} or {@code session.onClose().then()}.
 *
 * <pre>{@code
 * SessionHandler<HeartbeatConnection> echo = session -> session.send(session.receive());
 * }</pre>
 *
 * @param <S> the session type handed to the handler
 */
@FunctionalInterface
public interface SessionHandler<S extends WebSocketConnection> {

  /** Handles one session; the returned publisher tracks its lifetime. */
  Publisher<Void> handle(S session);

  /**
   * Runs {@code handler} on {@code session} the way every server transport does: closes with
   * 1000 when its publisher completes, with 1011 when it errors (or throws), and cancels it when
   * the connection closes first. The returned {@code Mono} completes once the connection is
   * closed.
   */
  static <S extends WebSocketConnection> Mono<Void> serve(S session, SessionHandler<? super S> handler) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(handler, "handler");
    return HandlerRun.mono(session, handler);
  }
}
