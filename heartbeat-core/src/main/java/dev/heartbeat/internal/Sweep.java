package dev.heartbeat.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.Context;

/**
 * One periodic task per scheduler (per event loop) and period that walks every connection
 * registered on it: it sends the heartbeats that are due and closes the dead. A connection
 * therefore owns no timer, and an inbound frame costs a timestamp write, never a reschedule.
 *
 * <p>The sweep re-arms itself after each run rather than running at a fixed rate, so a stalled
 * scheduler (a busy event loop, a GC pause, a suspended process) yields one late run, which it
 * detects: that run's time is handed to the targets as {@code stalledAt}, and they hold deaths
 * back for their grace period, because answers may be waiting unread in the sockets.
 *
 * <p>Targets are added through a lock-free queue and walked only on the sweep's own runs; a
 * target that is done is removed on the next run. When the last target unregisters, the timer
 * is cancelled at once, so a closed connection leaves no task behind.
 */
final class Sweep implements Runnable {

  /** What a sweep walks. Called only from the sweep's runs, one at a time. */
  interface Target {
    /**
     * One sweep run at {@code now}; {@code stalledAt} is the time of the last run that came
     * late, or {@link Long#MIN_VALUE} when none did.
     */
    void tick(long now, long stalledAt);

    /** Whether the target is finished and may be dropped from the walk. */
    boolean isDone();
  }

  /** The least lateness read as a stall: well above a loaded loop's scheduling jitter. */
  static final long MIN_STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private static final Map<Scheduler, Map<Long, Sweep>> REGISTRY = new IdentityHashMap<>();

  private final Scheduler scheduler;
  private final long periodNanos;
  /**
   * How late a run must be to count as a stall: a period, but never less than
   * {@link #MIN_STALL_NANOS}, so that a short period (a fine resolution) does not read a busy
   * loop's ordinary jitter as a stall and hold every verdict back by the grace period.
   */
  private final long stallNanos;
  private final ConcurrentLinkedQueue<Target> added = new ConcurrentLinkedQueue<>();
  private final ArrayList<Target> targets = new ArrayList<>();
  // Guarded by REGISTRY.
  private int registered;
  private @Nullable Disposable timer;
  private boolean stopped;
  // Touched only by runs.
  private long expectedAt;
  private long stalledAt = Long.MIN_VALUE;

  private Sweep(Scheduler scheduler, long periodNanos) {
    this.scheduler = scheduler;
    this.periodNanos = periodNanos;
    this.stallNanos = Math.max(periodNanos, MIN_STALL_NANOS);
  }

  /**
   * Adds {@code target} to the sweep of {@code scheduler} with {@code periodNanos}, starting it
   * if it is the first. The returned {@link Disposable} takes the registration back; once the
   * target reports {@link Target#isDone()}, it is walked no more.
   */
  static Disposable register(Scheduler scheduler, long periodNanos, Target target) {
    Sweep sweep;
    synchronized (REGISTRY) {
      sweep = REGISTRY.computeIfAbsent(scheduler, s -> new HashMap<>())
          .computeIfAbsent(periodNanos, p -> new Sweep(scheduler, p));
      sweep.added.offer(target);
      if (sweep.registered++ == 0) {
        sweep.expectedAt = scheduler.now(TimeUnit.NANOSECONDS) + periodNanos;
        sweep.timer = scheduler.schedule(sweep, periodNanos, TimeUnit.NANOSECONDS);
      }
    }
    return new Registration(sweep);
  }

  /** How many sweeps are running, for tests that prove none is left behind. */
  static int activeSweeps() {
    synchronized (REGISTRY) {
      return REGISTRY.values().stream().mapToInt(Map::size).sum();
    }
  }

  @Override
  public void run() {
    long now = scheduler.now(TimeUnit.NANOSECONDS);
    if (now - expectedAt > stallNanos) {
      stalledAt = now;
    }
    Target next;
    while ((next = added.poll()) != null) {
      targets.add(next);
    }
    for (int i = 0; i < targets.size(); ) {
      Target target = targets.get(i);
      if (!target.isDone()) {
        try {
          target.tick(now, stalledAt);
        } catch (RuntimeException unexpected) {
          // One connection's failure must not stop the sweep for every other connection.
          Operators.onErrorDropped(unexpected, Context.empty());
        }
      }
      if (target.isDone()) {
        // Swap-remove: order does not matter, and this keeps removal O(1).
        int last = targets.size() - 1;
        targets.set(i, targets.get(last));
        targets.remove(last);
      } else {
        i++;
      }
    }
    synchronized (REGISTRY) {
      if (!stopped) {
        expectedAt = now + periodNanos;
        timer = scheduler.schedule(this, periodNanos, TimeUnit.NANOSECONDS);
      }
    }
  }

  private void unregister() {
    synchronized (REGISTRY) {
      if (--registered > 0) {
        return;
      }
      stopped = true;
      if (timer != null) {
        timer.dispose();
      }
      Map<Long, Sweep> byPeriod = REGISTRY.get(scheduler);
      if (byPeriod != null && byPeriod.get(periodNanos) == this) {
        byPeriod.remove(periodNanos);
        if (byPeriod.isEmpty()) {
          REGISTRY.remove(scheduler);
        }
      }
    }
  }

  private static final class Registration implements Disposable {
    private final Sweep sweep;
    private boolean disposed;

    Registration(Sweep sweep) {
      this.sweep = sweep;
    }

    @Override
    public void dispose() {
      synchronized (this) {
        if (disposed) {
          return;
        }
        disposed = true;
      }
      sweep.unregister();
    }

    @Override
    public synchronized boolean isDisposed() {
      return disposed;
    }
  }
}
