package dev.heartbeat.examples.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.heartbeat.examples.testkit.Http;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The server's own view, read from {@code /dashboard/events} the way the dashboard page reads it:
 * what the test checks the pages against (how many connections the server really holds).
 */
final class DashboardFeed implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final AtomicReference<JsonNode> latest = new AtomicReference<>(MissingNode.getInstance());
  private final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();

  private DashboardFeed() {}

  /** Subscribes to the snapshots of the server on {@code port}. */
  static DashboardFeed open(int port) {
    DashboardFeed feed = new DashboardFeed();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/dashboard/events"))
        .header("Accept", "text/event-stream").build();
    Http.client().sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(feed.new Lines()));
    return feed;
  }

  /** The latest snapshot, or a missing node before the first one. */
  JsonNode latest() {
    return latest.get();
  }

  /** The server's count of open connections, or -1 before the first snapshot. */
  int active() {
    return latest().path("active").asInt(-1);
  }

  /** Connections the server opened since it started, or -1 before the first snapshot. */
  int totalOpened() {
    return latest().path("totalOpened").asInt(-1);
  }

  /** Heartbeats the server sent, or -1 before the first snapshot. */
  long heartbeatsSent() {
    return latest().path("heartbeats").path("sent").asLong(-1);
  }

  /** Heartbeats the pages answered, or -1 before the first snapshot. */
  long heartbeatsAnswered() {
    return latest().path("heartbeats").path("answered").asLong(-1);
  }

  /**
   * Connections closed for a cause whose name contains {@code cause} (the names may vary a
   * little: "superseded", "heartbeat_timeout"), or -1 when the snapshot has no such cause.
   */
  int closed(String cause) {
    int total = -1;
    for (Map.Entry<String, JsonNode> entry : latest().path("closed").properties()) {
      if (entry.getKey().contains(cause)) {
        total = Math.max(total, 0) + entry.getValue().asInt();
      }
    }
    return total;
  }

  @Override
  public void close() {
    Flow.Subscription s = subscription.getAndSet(null);
    if (s != null) {
      s.cancel();
    }
  }

  /** Server-Sent Events: every {@code data:} line of this stream is one JSON snapshot. */
  private final class Lines implements Flow.Subscriber<String> {
    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription.set(s);
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      if (line.startsWith("data:")) {
        try {
          latest.set(JSON.readTree(line.substring("data:".length()).trim()));
        } catch (IOException e) {
          throw new UncheckedIOException("not a JSON snapshot: " + line, e);
        }
      }
    }

    @Override
    public void onError(Throwable error) {
      // The server went away: the latest snapshot stays, and the test opens a new feed after a restart.
    }

    @Override
    public void onComplete() {
      // as above
    }
  }

  @Override
  public String toString() {
    return latest().toString();
  }
}
