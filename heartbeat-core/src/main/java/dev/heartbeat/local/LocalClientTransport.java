package dev.heartbeat.local;

import dev.heartbeat.transport.ClientTransport;
import dev.heartbeat.transport.WebSocketConnection;
import java.util.Objects;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Connects to a {@link LocalServerTransport} in memory. Each subscription to
 * {@link #connect()} opens a new connection; it fails with {@link java.net.ConnectException}
 * while the server is not running.
 */
public final class LocalClientTransport implements ClientTransport {

  private final LocalServerTransport server;
  private final Scheduler scheduler;

  private LocalClientTransport(LocalServerTransport server, Scheduler scheduler) {
    this.server = server;
    this.scheduler = scheduler;
  }

  /** A client of {@code server} whose connections run on {@code scheduler}. */
  public static LocalClientTransport create(LocalServerTransport server, Scheduler scheduler) {
    return new LocalClientTransport(Objects.requireNonNull(server, "server"), Objects.requireNonNull(scheduler, "scheduler"));
  }

  @Override
  public Mono<WebSocketConnection> connect() {
    return server.accept(scheduler);
  }
}
