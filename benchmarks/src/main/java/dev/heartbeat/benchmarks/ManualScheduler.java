package dev.heartbeat.benchmarks;

import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.scheduler.Scheduler;

/**
 * A scheduler that runs nothing by itself: it keeps the last delayed task (the heartbeat
 * sweep) so that a benchmark can run one sweep on demand. Its clock is {@link System#nanoTime()}
 * until a benchmark {@linkplain #advance moves it by hand}.
 */
final class ManualScheduler implements Scheduler {

  private volatile Runnable lastDelayed = () -> { };
  /** The hand-moved clock, or {@link Long#MIN_VALUE} while it follows {@link System#nanoTime()}. */
  private long manualNanos = Long.MIN_VALUE;

  /** Runs the last delayed task once, as its timer firing would. */
  void fire() {
    lastDelayed.run();
  }

  /** Moves the clock forward by {@code nanos}; from the first call on, only this moves it. */
  void advance(long nanos) {
    manualNanos = (manualNanos == Long.MIN_VALUE ? System.nanoTime() : manualNanos) + nanos;
  }

  @Override
  public long now(TimeUnit unit) {
    return unit.convert(manualNanos == Long.MIN_VALUE ? System.nanoTime() : manualNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public Disposable schedule(Runnable task) {
    task.run();
    return Disposables.disposed();
  }

  @Override
  public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
    lastDelayed = task;
    return Disposables.single();
  }

  @Override
  public Worker createWorker() {
    throw new UnsupportedOperationException("not needed by the heartbeat operator");
  }
}
