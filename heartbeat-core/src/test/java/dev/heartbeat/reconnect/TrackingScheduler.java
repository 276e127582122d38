package dev.heartbeat.reconnect;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * A {@link VirtualTimeScheduler} seen through a counter of the tasks scheduled on it that have
 * neither run nor been cancelled: after a session ends, {@link #pendingTasks()} must be 0 (no
 * timer left running). Time is the wrapped scheduler's, advanced by the test.
 */
final class TrackingScheduler implements Scheduler {

  private final VirtualTimeScheduler clock;
  private final Set<Object> pending = ConcurrentHashMap.newKeySet();

  TrackingScheduler(VirtualTimeScheduler clock) {
    this.clock = clock;
  }

  /** Tasks scheduled, not yet run, not cancelled (periodic ones until cancelled). */
  int pendingTasks() {
    return pending.size();
  }

  @Override
  public long now(TimeUnit unit) {
    return clock.now(unit);
  }

  @Override
  public Disposable schedule(Runnable task) {
    return track(null, (t) -> clock.schedule(t), task, false);
  }

  @Override
  public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
    return track(null, (t) -> clock.schedule(t, delay, unit), task, false);
  }

  @Override
  public Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
    return track(null, (t) -> clock.schedulePeriodically(t, initialDelay, period, unit), task, true);
  }

  @Override
  public Worker createWorker() {
    Worker inner = clock.createWorker();
    Set<Object> mine = ConcurrentHashMap.newKeySet();
    return new Worker() {
      @Override
      public Disposable schedule(Runnable task) {
        return track(mine, (t) -> inner.schedule(t), task, false);
      }

      @Override
      public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
        return track(mine, (t) -> inner.schedule(t, delay, unit), task, false);
      }

      @Override
      public Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
        return track(mine, (t) -> inner.schedulePeriodically(t, initialDelay, period, unit), task, true);
      }

      @Override
      public void dispose() {
        inner.dispose();
        pending.removeAll(mine);
        mine.clear();
      }

      @Override
      public boolean isDisposed() {
        return inner.isDisposed();
      }
    };
  }

  private Disposable track(@Nullable Set<Object> owner, Function<Runnable, Disposable> scheduling,
      Runnable task, boolean periodic) {
    Object token = new Object();
    pending.add(token);
    if (owner != null) {
      owner.add(token);
    }
    Runnable run = () -> {
      if (!periodic) {
        forget(owner, token);
      }
      task.run();
    };
    Disposable scheduled;
    try {
      scheduled = scheduling.apply(run);
    } catch (RuntimeException rejected) { // e.g. a disposed worker: nothing is pending
      forget(owner, token);
      throw rejected;
    }
    return new Disposable() {
      @Override
      public void dispose() {
        forget(owner, token);
        scheduled.dispose();
      }

      @Override
      public boolean isDisposed() {
        return scheduled.isDisposed();
      }
    };
  }

  private void forget(@Nullable Set<Object> owner, Object token) {
    pending.remove(token);
    if (owner != null) {
      owner.remove(token);
    }
  }
}
