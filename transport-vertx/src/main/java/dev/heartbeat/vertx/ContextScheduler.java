package dev.heartbeat.vertx;

import dev.heartbeat.transport.LoopTask;
import dev.heartbeat.transport.LoopWorker;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * A Reactor {@link Scheduler} that runs every task on one Vert.x context: immediate tasks with
 * {@code runOnContext}, delayed ones with the context's {@code setTimer}/{@code setPeriodic}. Its
 * clock is {@link System#nanoTime()}, which never jumps.
 *
 * <p>There is one instance per (unwrapped) context, so every connection of an event loop hands
 * the heartbeat operator the same scheduler and they share one sweep. Server requests run on
 * duplicated contexts; their tasks run on the context they duplicate, on the same thread.
 *
 * <p>It lives as long as its context: {@link #dispose()} does nothing, and tasks still pending
 * when Vert.x closes never run. Vert.x timers count whole milliseconds: a delay is rounded up to
 * the next one.
 */
final class ContextScheduler implements Scheduler {

  private static final Object KEY = new Object() {
    @Override
    public String toString() {
      return "dev.heartbeat.vertx.ContextScheduler";
    }
  };

  private final ContextInternal context;

  private ContextScheduler(ContextInternal context) {
    this.context = context;
  }

  /** The scheduler of {@code context} (of the context it duplicates, for a duplicated one). */
  static ContextScheduler of(Context context) {
    ContextInternal base = ((ContextInternal) context).unwrap();
    return (ContextScheduler) base.contextData().computeIfAbsent(KEY, key -> new ContextScheduler(base));
  }

  /** The context tasks run on. */
  ContextInternal context() {
    return context;
  }

  @Override
  public long now(TimeUnit unit) {
    return unit.convert(System.nanoTime(), TimeUnit.NANOSECONDS);
  }

  @Override
  public Disposable schedule(Runnable task) {
    LoopTask scheduled = new LoopTask(task);
    context.runOnContext(v -> scheduled.run());
    return scheduled;
  }

  @Override
  public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
    if (delay <= 0) {
      return schedule(task);
    }
    LoopTask scheduled = new LoopTask(task);
    cancelOnDispose(scheduled, context.setTimer(millis(delay, unit), id -> scheduled.run()));
    return scheduled;
  }

  @Override
  public Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
    if (period <= 0) {
      throw new IllegalArgumentException("period: must be positive on a Vert.x context, got " + period + " " + unit);
    }
    LoopTask scheduled = new LoopTask(task);
    long periodMillis = millis(period, unit);
    Handler<Void> first = v -> {
      scheduled.run();
      if (!scheduled.isDisposed()) {
        cancelOnDispose(scheduled, context.setPeriodic(periodMillis, id -> scheduled.run()));
      }
    };
    if (initialDelay <= 0) {
      context.runOnContext(first);
    } else {
      cancelOnDispose(scheduled, context.setTimer(millis(initialDelay, unit), id -> first.handle(null)));
    }
    return scheduled;
  }

  @Override
  public Worker createWorker() {
    return new LoopWorker(this); // the context is one thread: tasks run one at a time, in order
  }

  /** Does nothing: the scheduler is shared by every connection of its context and ends with it. */
  @Override
  public void dispose() {
  }

  @Override
  public String toString() {
    return "ContextScheduler[" + context + "]";
  }

  private void cancelOnDispose(LoopTask task, long timerId) {
    task.cancelWith(() -> context.owner().cancelTimer(timerId));
  }

  private static long millis(long delay, TimeUnit unit) {
    long nanos = unit.toNanos(delay);
    long millis = nanos / 1_000_000 + (nanos % 1_000_000 == 0 ? 0 : 1);
    return Math.max(1, millis);
  }
}
