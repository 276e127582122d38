package dev.heartbeat.examples.testkit;

import dev.heartbeat.Heartbeat;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.netty.NettyClientTransport;
import dev.heartbeat.transport.WebSocketConnection;
import java.net.URI;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;

/**
 * A test's WebSocket client on a local server, over the library's Reactor Netty client: either
 * raw, so it answers no heartbeat of any format (a peer that stopped answering), or under a
 * heartbeat policy, as a well-behaved client.
 */
public final class WsPeer implements AutoCloseable {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final WebSocketConnection connection;
  private final BlockingQueue<WsFrame> inbound = new LinkedBlockingQueue<>();
  private final long connectedAtNanos;
  private final AtomicLong closedAtNanos = new AtomicLong();

  private WsPeer(WebSocketConnection connection) {
    this.connection = connection;
    this.connectedAtNanos = System.nanoTime();
    connection.receive().subscribe(inbound::add, error -> { });
    connection.onClose().subscribe(status -> closedAtNanos.set(System.nanoTime()));
  }

  /** A raw client of {@code ws://127.0.0.1:port pathAndQuery}: it never answers a heartbeat. */
  public static WsPeer raw(int port, String pathAndQuery) {
    return new WsPeer(connect(port, pathAndQuery));
  }

  /** A client of {@code ws://127.0.0.1:port pathAndQuery} that runs {@code policy}. */
  public static WsPeer withHeartbeats(int port, String pathAndQuery, HeartbeatPolicy policy) {
    return new WsPeer(Heartbeat.operator(policy).apply(connect(port, pathAndQuery)));
  }

  private static WebSocketConnection connect(int port, String pathAndQuery) {
    return NettyClientTransport.create(URI.create("ws://127.0.0.1:" + port + pathAndQuery)).connect().block(WAIT);
  }

  /**
   * The HTTP status a server answers an upgrade request for {@code pathAndQuery} with, asked by
   * the JDK's own WebSocket client: 101 when it upgraded.
   */
  public static int upgradeStatus(int port, String pathAndQuery) {
    try {
      WebSocket ws = Http.client().newWebSocketBuilder()
          .buildAsync(URI.create("ws://127.0.0.1:" + port + pathAndQuery), new WebSocket.Listener() { })
          .orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS)
          .join();
      ws.abort();
      return 101;
    } catch (CompletionException failed) {
      if (failed.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse().statusCode();
      }
      throw failed;
    }
  }

  /** Sends {@code frame}. */
  public void send(WsFrame frame) {
    connection.send(Mono.just(frame)).block(WAIT);
  }

  /** Sends a text frame. */
  public void send(String text) {
    send(WsFrame.text(text));
  }

  /** The next frame received, waiting at most {@code deadline}. */
  public WsFrame next(Duration deadline) {
    try {
      WsFrame frame = inbound.poll(deadline.toNanos(), TimeUnit.NANOSECONDS);
      if (frame == null) {
        throw new AssertionError("no frame within " + deadline + (connection.isOpen() ? "" : ", closed"));
      }
      return frame;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The text of the next frame, which must be a text frame. */
  public String nextText(Duration deadline) {
    WsFrame frame = next(deadline);
    if (!(frame instanceof WsFrame.Text text)) {
      throw new AssertionError("not a text frame: " + frame);
    }
    return text.text();
  }

  /** The status the connection closed with, waiting at most {@code deadline}. */
  public CloseStatus awaitClose(Duration deadline) {
    CloseStatus status = connection.onClose().block(deadline);
    if (status == null) {
      throw new AssertionError("not closed within " + deadline);
    }
    return status;
  }

  /** How long after connecting it was closed; call after {@link #awaitClose}. */
  public Duration closedAfter() {
    return Duration.ofNanos(closedAtNanos.get() - connectedAtNanos);
  }

  /** Whether it is still open. */
  public boolean isOpen() {
    return connection.isOpen();
  }

  /** Closes with 1000 if still open. */
  @Override
  public void close() {
    if (connection.isOpen()) {
      connection.close(CloseStatus.NORMAL).onErrorResume(e -> Mono.empty()).block(WAIT);
    }
  }
}
