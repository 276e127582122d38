package dev.heartbeat.benchmarks.load;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far behind a load client's event loops run. {@link StallMonitor} sees the process stop (a
 * collection); this sees a loop that runs but is busy: a task due every 10 ms on each loop records
 * when it last ran. A loop busy with a connect burst reads its sockets late, so it answers pings
 * late although the process never stopped; a server that closes such a peer is not wrong.
 */
final class LoopLagMonitor {

  private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  /** A lag worth a line in the client's log, with the time it ended. */
  private static final long REPORTED_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private final Map<EventExecutor, AtomicLong> lastRun = new ConcurrentHashMap<>();
  private final AtomicLong maxLagNanos = new AtomicLong();

  LoopLagMonitor(EventLoopGroup group) {
    for (EventExecutor loop : group) {
      AtomicLong last = new AtomicLong(System.nanoTime());
      lastRun.put(loop, last);
      loop.scheduleWithFixedDelay(() -> {
        long now = System.nanoTime();
        long lag = now - last.getAndSet(now) - PERIOD_NANOS;
        maxLagNanos.accumulateAndGet(lag, Math::max);
        if (lag >= REPORTED_NANOS) {
          System.err.printf("%s loop lag %d ms, ended at nanoTime %d%n", Thread.currentThread().getName(),
              TimeUnit.NANOSECONDS.toMillis(lag), now);
        }
      }, PERIOD_NANOS, PERIOD_NANOS, TimeUnit.NANOSECONDS);
    }
  }

  /** The longest a loop went without running its tasks, beyond the period. */
  long maxLagMillis() {
    return TimeUnit.NANOSECONDS.toMillis(maxLagNanos.get());
  }

  /**
   * How long {@code loop}, which is running the caller, had gone without running its tasks
   * at {@code now}: the time it has been busy with I/O before reaching the caller's frame.
   */
  long currentLagMillis(EventExecutor loop, long now) {
    AtomicLong last = lastRun.get(loop);
    return last == null ? -1 : Math.max(0, TimeUnit.NANOSECONDS.toMillis(now - last.get() - PERIOD_NANOS));
  }
}
