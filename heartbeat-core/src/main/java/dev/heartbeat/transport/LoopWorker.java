package dev.heartbeat.transport;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.Exceptions;
import reactor.core.scheduler.Scheduler;

/**
 * A Reactor {@link Scheduler.Worker} over a scheduler whose tasks all run on one thread (an
 * event loop, a Vert.x context): the thread already gives the worker's guarantees (one task at
 * a time, in order), so the worker only tracks its tasks, and disposing it cancels every task
 * not yet run. A transport's loop scheduler returns one from {@code createWorker()}.
 */
public final class LoopWorker implements Scheduler.Worker {

  private final Scheduler loop;
  private final Disposable.Composite tasks = Disposables.composite();

  /** A worker whose tasks run through {@code loop}, which must run them all on one thread. */
  public LoopWorker(Scheduler loop) {
    this.loop = Objects.requireNonNull(loop, "loop");
  }

  @Override
  public Disposable schedule(Runnable task) {
    Tracked tracked = track(task, false);
    return submit(tracked, () -> loop.schedule(tracked));
  }

  @Override
  public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
    Tracked tracked = track(task, false);
    return submit(tracked, () -> loop.schedule(tracked, delay, unit));
  }

  @Override
  public Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
    Tracked tracked = track(task, true);
    return submit(tracked, () -> loop.schedulePeriodically(tracked, initialDelay, period, unit));
  }

  private Tracked track(Runnable task, boolean periodic) {
    Tracked tracked = new Tracked(Objects.requireNonNull(task, "task"), periodic);
    if (!tasks.add(tracked)) {
      throw Exceptions.failWithRejected();
    }
    return tracked;
  }

  /** Hands {@code tracked} to the loop; a loop that refuses it (shutting down) leaves no trace here. */
  private Disposable submit(Tracked tracked, Supplier<Disposable> schedule) {
    try {
      return tracked.start(schedule.get());
    } catch (RuntimeException rejected) {
      tasks.remove(tracked);
      throw rejected;
    }
  }

  @Override
  public void dispose() {
    tasks.dispose();
  }

  @Override
  public boolean isDisposed() {
    return tasks.isDisposed();
  }

  /** A worker's task: leaves the worker once it ran (one-shot) or was disposed. */
  private final class Tracked implements Runnable, Disposable {
    private final Runnable task;
    private final boolean periodic;
    private volatile boolean disposed;
    private volatile @Nullable Disposable scheduled;

    Tracked(Runnable task, boolean periodic) {
      this.task = task;
      this.periodic = periodic;
    }

    /**
     * Records the loop's handle of this task. Called by the scheduling thread; the task may
     * have run (or been disposed) already, which is why the handle is checked after it is set.
     */
    Disposable start(Disposable handle) {
      scheduled = handle;
      if (disposed) {
        handle.dispose();
      }
      return this;
    }

    @Override
    public void run() {
      if (disposed) {
        return;
      }
      try {
        task.run();
      } finally {
        if (!periodic) {
          disposed = true;
          tasks.remove(this);
        }
      }
    }

    @Override
    public void dispose() {
      disposed = true;
      Disposable handle = scheduled;
      if (handle != null) {
        handle.dispose();
      }
      tasks.remove(this);
    }

    @Override
    public boolean isDisposed() {
      return disposed;
    }
  }
}
