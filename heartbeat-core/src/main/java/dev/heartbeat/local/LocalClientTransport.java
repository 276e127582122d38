package dev.heartbeat.local;

import dev.heartbeat.transport.ClientTransport;
import dev.heartbeat.transport.WebSocketConnection;
import java.net.URI;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
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
  private final @Nullable URI uri;

  private LocalClientTransport(LocalServerTransport server, Scheduler scheduler, @Nullable URI uri) {
    this.server = server;
    this.scheduler = scheduler;
    this.uri = uri;
  }

  /** A client of {@code server} whose connections run on {@code scheduler}, at the server's URI. */
  public static LocalClientTransport create(LocalServerTransport server, Scheduler scheduler) {
    return new LocalClientTransport(Objects.requireNonNull(server, "server"), Objects.requireNonNull(scheduler, "scheduler"), null);
  }

  /**
   * A client of {@code server} that asks for {@code uri} (its path and query reach the server's
   * handshake, e.g. {@code local:/ws?user=ann}), on {@code scheduler}.
   */
  public static LocalClientTransport create(LocalServerTransport server, Scheduler scheduler, URI uri) {
    return new LocalClientTransport(Objects.requireNonNull(server, "server"), Objects.requireNonNull(scheduler, "scheduler"),
        Objects.requireNonNull(uri, "uri"));
  }

  @Override
  public Mono<WebSocketConnection> connect() {
    return server.accept(scheduler, uri);
  }
}
