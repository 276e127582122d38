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
 * One periodic task per scheduler (per event loop) and period that visits the connections
 * registered on it when something may be due: it sends the heartbeats that are due and closes
 * the dead. A connection therefore owns no timer, and an inbound frame costs a timestamp write,
 * never a reschedule.
 *
 * <p>Each visit returns when the target next needs one, and the target waits in a timing wheel
 * ({@link #SLOTS} slots of one period) until then: a run visits only the slots its time reached,
 * so an idle connection with a 1 s interval is visited about once a second, not on every run
 * (40 times a second at the default resolution of 25 ms). Walking every connection on every
 * run was 8-14 % of a server's Java samples at 15,000 idle connections (at 20 runs a second),
 * mostly cache misses on connections with nothing due. Inbound traffic only ever postpones what
 * is due, so a target visited before its time finds nothing to do and is put back; a target that
 * must be watched closely (a suspect peer that may recover) asks for the next run.
 *
 * <p>The sweep re-arms itself after each run rather than running at a fixed rate, so a stalled
 * scheduler (a busy event loop, a GC pause, a suspended process) yields one late run, which it
 * detects: the stall (from the time the run was due to the time it ran) is handed to the
 * targets. They do not count it as their peer's silence, since no heartbeat went out meanwhile,
 * and they hold deaths back for their grace period after it, because answers may be waiting
 * unread in the sockets.
 *
 * <p>Targets are added through a lock-free queue and visited only on the sweep's own runs; a
 * target that is done is dropped when its slot comes round. When the last target unregisters,
 * the timer is cancelled at once, so a closed connection leaves no task behind.
 */
final class Sweep implements Runnable {

  /** What a sweep visits. Called only from the sweep's runs, one at a time. */
  interface Target {
    /**
     * One visit at {@code now}. The last stall of the sweep lasted from {@code stallStart} to
     * {@code stallEnd} (the time its late run was due, and the time it ran); both are
     * {@link Long#MIN_VALUE} when no run came late. Returns the earliest time at which a visit may
     * have something to do: the target is visited again on the first run at or after it
     * (a time not after {@code now} means the next run). It must not be later than anything
     * the target could do without a visit's help: traffic may only postpone it.
     */
    long tick(long now, long stallStart, long stallEnd);

    /** Whether the target is finished and may be dropped from the walk. */
    boolean isDone();
  }

  /**
   * Slots of the timing wheel, a power of two: 6.4 s at a 25 ms period. A target due further
   * out waits in the slot its time wraps to and is put back when that slot comes round.
   */
  static final int SLOTS = 256;

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
  /** Slot {@code s mod SLOTS} holds the targets due in period {@code s}: time / period. */
  @SuppressWarnings("unchecked")
  private final ArrayList<Target>[] wheel = (ArrayList<Target>[]) new ArrayList<?>[SLOTS];
  // Guarded by REGISTRY.
  private int registered;
  private @Nullable Disposable timer;
  private boolean stopped;
  // Touched only by runs (and by the first registration, before the first run).
  private long expectedAt;
  private long stallStart = Long.MIN_VALUE;
  private long stallEnd = Long.MIN_VALUE;
  /** The last period whose slot was visited. */
  private long visitedUpTo;
  /** An empty list that takes the place of the slot being visited. */
  private ArrayList<Target> spare = new ArrayList<>();

  private Sweep(Scheduler scheduler, long periodNanos) {
    this.scheduler = scheduler;
    this.periodNanos = periodNanos;
    this.stallNanos = Math.max(periodNanos, MIN_STALL_NANOS);
    for (int i = 0; i < SLOTS; i++) {
      wheel[i] = new ArrayList<>();
    }
  }

  /** Where period {@code period}'s slot is in the wheel. */
  private static int slotOf(long period) {
    return (int) (period & (SLOTS - 1));
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
        long now = scheduler.now(TimeUnit.NANOSECONDS);
        sweep.visitedUpTo = Math.floorDiv(now, periodNanos);
        sweep.expectedAt = now + periodNanos;
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
      stallStart = expectedAt;
      stallEnd = now;
    }
    long current = Math.floorDiv(now, periodNanos);
    // New targets are visited on the first run after they registered.
    Target fresh;
    while ((fresh = added.poll()) != null) {
      visit(fresh, now, current);
    }
    // Every period since the last run, but each slot at most once (after a long stall).
    for (long period = Math.max(visitedUpTo + 1, current - SLOTS + 1); period <= current; period++) {
      ArrayList<Target> due = wheel[slotOf(period)];
      if (due.isEmpty()) {
        continue;
      }
      // The slot gets the spare list, so that a target put back a whole turn later lands
      // there and not in the list being visited.
      wheel[slotOf(period)] = spare;
      for (int i = 0; i < due.size(); i++) {
        visit(due.get(i), now, current);
      }
      due.clear();
      spare = due;
    }
    visitedUpTo = current;
    synchronized (REGISTRY) {
      if (!stopped) {
        expectedAt = now + periodNanos;
        timer = scheduler.schedule(this, periodNanos, TimeUnit.NANOSECONDS);
      }
    }
  }

  /** Visits {@code target} unless it is done, and puts it back in the slot of its next visit. */
  private void visit(Target target, long now, long current) {
    if (target.isDone()) {
      return; // dropped from the wheel
    }
    long next;
    try {
      next = target.tick(now, stallStart, stallEnd);
    } catch (RuntimeException unexpected) {
      // One connection's failure must not stop the sweep for every other connection.
      Operators.onErrorDropped(unexpected, Context.empty());
      next = now;
    }
    if (!target.isDone()) {
      wheel[slotOf(Math.max(current + 1, Math.floorDiv(next, periodNanos)))].add(target);
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
