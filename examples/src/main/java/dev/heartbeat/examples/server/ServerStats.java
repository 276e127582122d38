package dev.heartbeat.examples.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.examples.TransportName;
import dev.heartbeat.server.CloseCause;
import dev.heartbeat.server.ConnectionRegistry;
import dev.heartbeat.server.RegistrySnapshot;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;

/**
 * The {@code GET /stats} figures of a demo server, as JSON: the registry's snapshot plus what a
 * load test wants next to it (process id, heap in use).
 *
 * <pre>{@code
 * {"transport":"netty","heartbeatFormat":"ping-frame","intervalMs":1000,"timeoutMs":3000,
 *  "active":2,"total":5,"closedByTimeout":1,
 *  "closed":{"normal":2,"heartbeat_timeout":1,"superseded":0,"policy":0,"too_big":0,"shutdown":0,"error":0},
 *  "heartbeats":{"sent":40,"answered":38,"missed":1},"droppedMessages":0,"decodeErrors":0,
 *  "lastRttMs":0.21,"pid":4242,"heapUsedBytes":31457280}
 * }</pre>
 */
public final class ServerStats {

  /** One mapper for the demos' JSON: thread-safe once configured. */
  public static final ObjectMapper JSON = new ObjectMapper();

  private ServerStats() {}

  /** The figures of {@code registry}, served on {@code transport}, as JSON text. */
  public static String json(ConnectionRegistry registry, TransportName transport) {
    RegistrySnapshot snapshot = registry.snapshot();
    HeartbeatPolicy policy = registry.policy();
    ObjectNode stats = JSON.createObjectNode();
    stats.put("transport", transport.id());
    stats.put("heartbeatFormat", policy.codec().name());
    stats.put("intervalMs", policy.interval().toMillis());
    stats.put("timeoutMs", policy.timeout().toMillis());
    stats.put("active", snapshot.active()); // a dead peer leaves at the verdict, not after its close handshake
    stats.put("total", snapshot.totalOpened());
    stats.put("closedByTimeout", snapshot.closed(CloseCause.HEARTBEAT_TIMEOUT));
    stats.set("closed", closedByCause(snapshot));
    stats.set("heartbeats", heartbeats(snapshot));
    stats.put("droppedMessages", snapshot.droppedMessages());
    stats.put("decodeErrors", snapshot.decodeErrors());
    Duration lastRtt = snapshot.lastRtt();
    if (lastRtt == null) {
      stats.putNull("lastRttMs");
    } else {
      stats.put("lastRttMs", millis(lastRtt));
    }
    stats.put("pid", ProcessHandle.current().pid());
    stats.put("heapUsedBytes", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    return stats.toString();
  }

  /** Closed connections by cause, every cause present, named in lower_snake ({@code heartbeat_timeout}). */
  public static ObjectNode closedByCause(RegistrySnapshot snapshot) {
    ObjectNode closed = JSON.createObjectNode();
    for (CloseCause cause : CloseCause.values()) {
      closed.put(cause.name().toLowerCase(Locale.ROOT), snapshot.closed(cause));
    }
    return closed;
  }

  /** Heartbeats this server sent, answers it got, misses it saw. */
  public static ObjectNode heartbeats(RegistrySnapshot snapshot) {
    ObjectNode heartbeats = JSON.createObjectNode();
    heartbeats.put("sent", snapshot.heartbeatsSent());
    heartbeats.put("answered", snapshot.heartbeatsAnswered());
    heartbeats.put("missed", snapshot.heartbeatsMissed());
    return heartbeats;
  }

  /** {@code duration} in milliseconds with microsecond precision. */
  public static double millis(Duration duration) {
    return duration.toNanos() / 1000 / 1000.0;
  }
}
