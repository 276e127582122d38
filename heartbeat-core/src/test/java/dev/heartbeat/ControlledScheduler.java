package dev.heartbeat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.scheduler.Scheduler;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * A {@link VirtualTimeScheduler} seen through a test's eyes: it counts the tasks still pending
 * (scheduled, neither run nor cancelled) and the timers ever armed, and it can stall like a
 * busy event loop: tasks that come due while stalled wait and run late, in order, on
 * {@link #resume()}.
 */
public final class ControlledScheduler implements Scheduler {

  private final VirtualTimeScheduler clock;
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicInteger armed = new AtomicInteger();
  private final List<Runnable> held = new ArrayList<>();
  private boolean stalled;

  public ControlledScheduler(VirtualTimeScheduler clock) {
    this.clock = clock;
  }

  public static ControlledScheduler create() {
    return new ControlledScheduler(VirtualTimeScheduler.create());
  }

  public VirtualTimeScheduler clock() {
    return clock;
  }

  public void advance(java.time.Duration by) {
    clock.advanceTimeBy(by);
  }

  /** Tasks scheduled and neither run nor cancelled: 0 means nothing is left running. */
  public int pendingTasks() {
    return pending.get();
  }

  /** Delayed tasks ever armed directly on this scheduler (not its workers). */
  public int timersArmed() {
    return armed.get();
  }

  /** From now on, tasks that come due wait until {@link #resume()}. */
  public synchronized void stall() {
    stalled = true;
  }

  /** Runs the tasks that came due while stalled, late, in the order they came due. */
  public void resume() {
    List<Runnable> late;
    synchronized (this) {
      stalled = false;
      late = new ArrayList<>(held);
      held.clear();
    }
    late.forEach(Runnable::run);
  }

  /** One scheduled task: counted as pending until it runs or is cancelled, whichever is first. */
  private final class Tracked implements Runnable, Disposable {
    private final Runnable task;
    private final AtomicBoolean settled = new AtomicBoolean();
    private volatile Disposable scheduled = Disposables.never();

    Tracked(Runnable task) {
      this.task = task;
      pending.incrementAndGet();
    }

    Tracked on(Disposable scheduled) {
      this.scheduled = scheduled;
      if (scheduled.isDisposed()) {
        settle(); // rejected (a disposed worker): it will never run
      }
      return this;
    }

    void settle() {
      if (settled.compareAndSet(false, true)) {
        pending.decrementAndGet();
      }
    }

    @Override
    public void run() {
      if (settled.get()) {
        return;
      }
      settle();
      synchronized (ControlledScheduler.this) {
        if (stalled) {
          held.add(task);
          return;
        }
      }
      task.run();
    }

    @Override
    public void dispose() {
      settle();
      scheduled.dispose();
    }

    @Override
    public boolean isDisposed() {
      return settled.get();
    }
  }

  @Override
  public long now(TimeUnit unit) {
    return clock.now(unit);
  }

  @Override
  public Disposable schedule(Runnable task) {
    Tracked tracked = new Tracked(task);
    return tracked.on(clock.schedule(tracked));
  }

  @Override
  public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
    armed.incrementAndGet();
    Tracked tracked = new Tracked(task);
    return tracked.on(clock.schedule(tracked, delay, unit));
  }

  /** Periodic tasks stay pending until cancelled. */
  @Override
  public Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
    armed.incrementAndGet();
    pending.incrementAndGet();
    AtomicBoolean cancelled = new AtomicBoolean();
    Disposable scheduled = clock.schedulePeriodically(() -> {
      synchronized (this) {
        if (stalled) {
          held.add(task);
          return;
        }
      }
      task.run();
    }, initialDelay, period, unit);
    return new Disposable() {
      @Override
      public void dispose() {
        if (cancelled.compareAndSet(false, true)) {
          pending.decrementAndGet();
          scheduled.dispose();
        }
      }

      @Override
      public boolean isDisposed() {
        return cancelled.get();
      }
    };
  }

  @Override
  public Worker createWorker() {
    Worker worker = clock.createWorker();
    Set<Tracked> tasks = ConcurrentHashMap.newKeySet();
    return new Worker() {
      @Override
      public Disposable schedule(Runnable task) {
        return schedule(task, 0, TimeUnit.NANOSECONDS);
      }

      @Override
      public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
        Tracked[] self = new Tracked[1];
        self[0] = new Tracked(() -> {
          tasks.remove(self[0]);
          task.run();
        });
        tasks.add(self[0]);
        Disposable scheduled;
        try {
          scheduled = delay == 0 ? worker.schedule(self[0]) : worker.schedule(self[0], delay, unit);
        } catch (RuntimeException rejected) { // a disposed worker refuses: nothing is pending
          self[0].settle();
          throw rejected;
        }
        Tracked tracked = self[0].on(scheduled);
        if (worker.isDisposed()) {
          tracked.settle(); // disposed meanwhile: it will never run
        }
        return tracked;
      }

      @Override
      public void dispose() {
        worker.dispose(); // first: nothing scheduled after this can run
        tasks.forEach(Tracked::settle);
        tasks.clear();
      }

      @Override
      public boolean isDisposed() {
        return worker.isDisposed();
      }
    };
  }

  @Override
  public void dispose() {
    clock.dispose();
  }
}
