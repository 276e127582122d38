package dev.heartbeat.transport;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * One open WebSocket, transport-neutral: the contract every transport adapter implements and
 * every operator of the core decorates.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #receive()} MUST emit every inbound data frame and every ping and pong, in
 *       arrival order, and MUST NOT emit close frames: the close is reported by
 *       {@link #onClose()}. It MUST complete once the connection is closed, whatever the
 *       reason, and MAY error only when the transport fails to read; {@link #onClose()} then
 *       still emits. It MUST be subscribed at most once; a second subscriber MUST receive an
 *       {@link IllegalStateException}. Cancelling it MUST NOT send a close frame by itself.</li>
 *   <li>{@link #send(Publisher)} MAY be called many times, also concurrently: the frames of one
 *       publisher are written in order, frames of different publishers interleave at frame
 *       boundaries. The returned {@code Mono} completes when the publisher has completed and
 *       its frames are handed to the transport, and errors when the connection closes first.
 *       Frames MUST NOT include {@link WsFrame.Close}: use {@link #close(CloseStatus)}.</li>
 *   <li>{@link #close(CloseStatus)} MUST send a close frame with exactly that status (so the
 *       peer reads that code, not 1005) before anything else ends the connection, and complete
 *       when the connection is closed. Only the first call sends; later calls complete when the
 *       connection is closed. The status MUST be {@linkplain CloseStatus#sendable() sendable}.</li>
 *   <li>{@link #onClose()} MUST emit exactly one status and complete, and MUST NOT error. It
 *       may be subscribed any number of times and replays the status to late subscribers. The
 *       status is the one this side sent when it closed first, the peer's when the peer closed
 *       first (any code, as received; 1005 when its frame had none), and
 *       {@link CloseStatus#ABNORMAL 1006} when the connection dropped without a close frame.</li>
 *   <li>{@link #scheduler()} is the connection's own event loop (or the test's virtual clock):
 *       timers that touch the connection run there, so no thread hops per heartbeat. Its
 *       {@link Scheduler#now} MUST be monotonic; wrap a Reactor scheduler with
 *       {@link MonotonicScheduler#wrap(Scheduler)}, whose default clock is the wall clock.</li>
 *   <li>{@link #frameWriter()} is optional. A connection that has one returns the same writer
 *       every time. The writer writes each frame whole, in call order from any thread, at a frame
 *       boundary of the {@code send} publishers. On the connection's own thread it writes at
 *       once. Once the connection is closing, it drops the frame: nothing follows a close frame.
 *       Its frames follow the same rules as those of {@code send}.</li>
 * </ul>
 */
public interface WebSocketConnection {

  /** What the opening handshake established. */
  HandshakeInfo handshakeInfo();

  /** Inbound frames; see the contract above. */
  Flux<WsFrame> receive();

  /** Writes {@code frames}; see the contract above. */
  Mono<Void> send(Publisher<? extends WsFrame> frames);

  /** Closes with {@code status}; see the contract above. */
  Mono<Void> close(CloseStatus status);

  /** The status this connection closed with; see the contract above. */
  Mono<CloseStatus> onClose();

  /**
   * Runs {@code callback} once with the status {@link #onClose()} emits: when the connection
   * closes, or at once if it has. The same as subscribing to {@code onClose()} (the default), but
   * a transport may keep it cheaper: a server's own bookkeeping (its transport's, registry's and
   * heartbeat's) watches every connection's close for the connection's whole life. Decorators
   * pass it on to the connection they decorate.
   */
  default void whenClosed(Consumer<? super CloseStatus> callback) {
    onClose().subscribe(callback);
  }

  /** The connection's own scheduler, with a monotonic clock. */
  Scheduler scheduler();

  /** Whether the connection is still open: no close was sent, received or detected yet. */
  boolean isOpen();

  /**
   * A cheaper path than {@link #send(Publisher)} for the few frames a heartbeat writes on its own
   * (pings, pongs, a codec's heartbeat message): no publisher, subscription and write queue per
   * connection, and no task hop when called on the connection's thread. {@code null} when the
   * connection has none (the default); callers then send through {@link #send(Publisher)}. See
   * the contract above.
   */
  default @Nullable Consumer<WsFrame> frameWriter() {
    return null;
  }
}
