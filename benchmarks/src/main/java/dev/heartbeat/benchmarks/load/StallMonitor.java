package dev.heartbeat.benchmarks.load;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * How long a load client's process could not run: a daemon thread parks for 10 ms at a time and
 * records by how much it woke late (a garbage collection pause, or the two cores busy with the
 * other processes of the run). A client that stalls answers pings late and reconnects in bursts;
 * this figure tells such client-made effects from the server's.
 */
final class StallMonitor {

  private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final AtomicLong maxLateNanos = new AtomicLong();

  void start() {
    Thread thread = new Thread(() -> {
      while (true) {
        long before = System.nanoTime();
        LockSupport.parkNanos(PERIOD_NANOS);
        long late = System.nanoTime() - before - PERIOD_NANOS;
        maxLateNanos.accumulateAndGet(late, Math::max);
      }
    }, "stall-monitor");
    thread.setDaemon(true);
    thread.start();
  }

  /** The longest stall since {@link #start()}. */
  long maxStallMillis() {
    return TimeUnit.NANOSECONDS.toMillis(maxLateNanos.get());
  }
}
