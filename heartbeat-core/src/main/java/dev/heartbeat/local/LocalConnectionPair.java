package dev.heartbeat.local;

import dev.heartbeat.transport.HandshakeInfo;
import dev.heartbeat.transport.Role;
import dev.heartbeat.transport.WebSocketConnection;
import java.net.URI;
import java.util.Objects;
import reactor.core.scheduler.Scheduler;

/**
 * Two connected in-memory {@link WebSocketConnection}s, a client and a server side, with fault
 * injection on each direction: the test kit's connection, and a transport for running the
 * library without a network. On a {@code VirtualTimeScheduler} every delivery, delay and timer
 * is deterministic.
 *
 * <pre>{@code
 * VirtualTimeScheduler clock = VirtualTimeScheduler.create();
 * LocalConnectionPair pair = LocalConnectionPair.create(clock);
 * pair.toClient().blackhole();   // the server goes silent without closing
 * pair.drop();                   // both sides see 1006
 * }</pre>
 */
public final class LocalConnectionPair {

  /** Unread frames each direction carries before senders wait. */
  public static final int DEFAULT_WINDOW = 256;

  private static final URI DEFAULT_URI = URI.create("local:/ws");

  private final LocalConnection client;
  private final LocalConnection server;
  private final Link toServer;
  private final Link toClient;

  private LocalConnectionPair(URI uri, Scheduler clientScheduler, Scheduler serverScheduler, int window) {
    client = new LocalConnection(HandshakeInfo.of(Role.CLIENT, uri), clientScheduler);
    server = new LocalConnection(HandshakeInfo.of(Role.SERVER, uri), serverScheduler);
    toServer = new Link(serverScheduler, server::accept, window);
    toClient = new Link(clientScheduler, client::accept, window);
    client.wire(server, toServer, toClient);
    server.wire(client, toClient, toServer);
    client.whenClosed(status -> disposeWhenBothClosed());
    server.whenClosed(status -> disposeWhenBothClosed());
  }

  /** A pair whose both sides run on {@code scheduler} (a virtual clock in tests). */
  public static LocalConnectionPair create(Scheduler scheduler) {
    return create(DEFAULT_URI, scheduler, scheduler);
  }

  /** A pair for {@code uri}, each side on its own scheduler, with the default window. */
  public static LocalConnectionPair create(URI uri, Scheduler clientScheduler, Scheduler serverScheduler) {
    return create(uri, clientScheduler, serverScheduler, DEFAULT_WINDOW);
  }

  /**
   * A pair for {@code uri}, each side on its own scheduler, where each direction carries at
   * most {@code window} frames that the receiving application has not read yet: beyond that,
   * senders wait, as over TCP. By default {@value #DEFAULT_WINDOW}.
   */
  public static LocalConnectionPair create(URI uri, Scheduler clientScheduler, Scheduler serverScheduler, int window) {
    if (window < 1) {
      throw new IllegalArgumentException("window: must be at least 1, got " + window);
    }
    return new LocalConnectionPair(Objects.requireNonNull(uri, "uri"),
        Objects.requireNonNull(clientScheduler, "clientScheduler"),
        Objects.requireNonNull(serverScheduler, "serverScheduler"), window);
  }

  /** The client side. */
  public WebSocketConnection client() {
    return client;
  }

  /** The server side. */
  public WebSocketConnection server() {
    return server;
  }

  /** The wire from client to server. */
  public Link toServer() {
    return toServer;
  }

  /** The wire from server to client. */
  public Link toClient() {
    return toClient;
  }

  /** Drops the connection without a close frame: both sides report 1006, in-flight frames are lost. */
  public void drop() {
    toServer.cut();
    toClient.cut();
    client.drop();
    server.drop();
  }

  private void disposeWhenBothClosed() {
    if (client.isTerminated() && server.isTerminated()) {
      toServer.dispose();
      toClient.dispose();
    }
  }
}
