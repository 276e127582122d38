package dev.heartbeat.transport;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * A {@link Scheduler} whose {@link #now(TimeUnit)} is {@link System#nanoTime()}: Reactor's
 * schedulers report the wall clock, which jumps (NTP, suspend, a user changing the time) and
 * would time out every connection at once. Every other call goes to the wrapped scheduler.
 *
 * <pre>{@code
 * Scheduler timers = MonotonicScheduler.wrap(Schedulers.parallel());
 * }</pre>
 */
public final class MonotonicScheduler implements Scheduler {

  private final Scheduler delegate;

  private MonotonicScheduler(Scheduler delegate) {
    this.delegate = delegate;
  }

  /** {@code scheduler} with a monotonic clock; already monotonic ones are returned as they are. */
  public static Scheduler wrap(Scheduler scheduler) {
    Objects.requireNonNull(scheduler, "scheduler");
    return scheduler instanceof MonotonicScheduler ? scheduler : new MonotonicScheduler(scheduler);
  }

  @Override
  public long now(TimeUnit unit) {
    return unit.convert(System.nanoTime(), TimeUnit.NANOSECONDS);
  }

  @Override
  public Disposable schedule(Runnable task) {
    return delegate.schedule(task);
  }

  @Override
  public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
    return delegate.schedule(task, delay, unit);
  }

  @Override
  public Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
    return delegate.schedulePeriodically(task, initialDelay, period, unit);
  }

  @Override
  public Worker createWorker() {
    return delegate.createWorker();
  }

  @Override
  public void dispose() {
    delegate.dispose();
  }

  @Override
  public boolean isDisposed() {
    return delegate.isDisposed();
  }

  @Override
  public void init() {
    delegate.init();
  }

  @Override
  public String toString() {
    return "monotonic(" + delegate + ")";
  }
}
