package dev.heartbeat.local;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.transport.ServerHandle;
import dev.heartbeat.transport.ServerTransport;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import java.net.ConnectException;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * An in-memory server: {@link LocalClientTransport}s connect to it without a network. It can
 * be killed (every connection drops with 1006, new connects are refused) and started again, and
 * it can leave handshakes hanging, which is what a reconnecting client meets in an outage.
 *
 * <pre>{@code
 * LocalServerTransport server = LocalServerTransport.create(clock);
 * server.start(Heartbeat.handler(policy, session -> session.send(session.receive()))).block();
 * ClientTransport client = LocalClientTransport.create(server);
 * }</pre>
 */
public final class LocalServerTransport implements ServerTransport {

  private final Scheduler scheduler;
  private final URI uri;
  private final Set<LocalConnectionPair> live = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile @Nullable SessionHandler<WebSocketConnection> handler;
  private volatile boolean hangHandshakes;

  private LocalServerTransport(URI uri, Scheduler scheduler) {
    this.uri = uri;
    this.scheduler = scheduler;
  }

  /** A server whose connections run on {@code scheduler}, at {@code local:/ws}. */
  public static LocalServerTransport create(Scheduler scheduler) {
    return create(URI.create("local:/ws"), scheduler);
  }

  /** A server at {@code uri} whose connections run on {@code scheduler}. */
  public static LocalServerTransport create(URI uri, Scheduler scheduler) {
    return new LocalServerTransport(Objects.requireNonNull(uri, "uri"), Objects.requireNonNull(scheduler, "scheduler"));
  }

  @Override
  public Mono<ServerHandle> start(SessionHandler<WebSocketConnection> handler) {
    Objects.requireNonNull(handler, "handler");
    return Mono.fromCallable(() -> {
      if (this.handler != null) {
        throw new IllegalStateException("already started");
      }
      this.handler = handler;
      return new Handle();
    });
  }

  /**
   * Stops the server as a crash would: every connection drops without a close frame (1006 on
   * both sides) and connects are refused until {@link #start} is called again.
   */
  public void kill() {
    handler = null;
    List.copyOf(live).forEach(LocalConnectionPair::drop);
    live.clear();
  }

  /** When true, connects reach the server but the handshake never completes. */
  public LocalServerTransport hangHandshakes(boolean hang) {
    this.hangHandshakes = hang;
    return this;
  }

  /** Whether the server accepts connections now. */
  public boolean isRunning() {
    return handler != null;
  }

  /** How many connections it has accepted since it was created. */
  public int acceptedCount() {
    return accepted.get();
  }

  /** The pairs of the connections open now, for fault injection. */
  public List<LocalConnectionPair> connections() {
    return List.copyOf(live);
  }

  Mono<WebSocketConnection> accept(Scheduler clientScheduler, @Nullable URI requested) {
    return Mono.defer(() -> {
      SessionHandler<WebSocketConnection> current = handler;
      if (current == null) {
        return Mono.error(new ConnectException("connection refused: " + uri + " is not running"));
      }
      if (hangHandshakes) {
        return Mono.never();
      }
      LocalConnectionPair pair = LocalConnectionPair.create(requested != null ? requested : uri, clientScheduler, scheduler);
      live.add(pair);
      accepted.incrementAndGet();
      pair.server().whenClosed(status -> live.remove(pair));
      SessionHandler.serve(pair.server(), current).subscribe(null, error -> { });
      return Mono.just(pair.client());
    });
  }

  private final class Handle implements ServerHandle {
    @Override
    public int port() {
      return -1;
    }

    @Override
    public Mono<Void> stopAccepting() {
      return Mono.fromRunnable(() -> handler = null);
    }

    @Override
    public Mono<Void> shutdown() {
      return Mono.defer(() -> {
        handler = null;
        return Flux.fromIterable(List.copyOf(live))
            .flatMap(pair -> pair.server().close(CloseStatus.GOING_AWAY))
            .then();
      });
    }
  }
}
