package dev.heartbeat.server;

import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The registry's figures at one instant: what seed-style servers log by hand every few
 * seconds.
 *
 * @param atNanos when, on the registry scheduler's monotonic clock
 * @param active connections open now
 * @param totalOpened connections accepted since the registry was built
 * @param closedByCause closed connections by cause, every cause present
 * @param heartbeatsSent heartbeats this server sent
 * @param heartbeatsAnswered answers it received to them
 * @param heartbeatsMissed missed heartbeats it observed (each step of a peer's suspicion)
 * @param droppedMessages broadcast messages dropped at full buffers
 * @param decodeErrors decode errors reported to the registry
 * @param lastRtt the most recent heartbeat round trip on any connection, or null
 */
public record RegistrySnapshot(
    long atNanos,
    int active,
    long totalOpened,
    Map<CloseCause, Long> closedByCause,
    long heartbeatsSent,
    long heartbeatsAnswered,
    long heartbeatsMissed,
    long droppedMessages,
    long decodeErrors,
    @Nullable Duration lastRtt) {

  public RegistrySnapshot {
    closedByCause = Map.copyOf(closedByCause);
  }

  /** Closed connections of {@code cause}. */
  public long closed(CloseCause cause) {
    return closedByCause.getOrDefault(cause, 0L);
  }

  /** Closed connections, all causes. */
  public long totalClosed() {
    return closedByCause.values().stream().mapToLong(Long::longValue).sum();
  }
}
