package dev.heartbeat.netty;

import io.netty.channel.EventLoop;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import dev.heartbeat.transport.LoopWorker;
import reactor.core.Disposable;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.Context;

/**
 * A Reactor {@link Scheduler} that runs every task on one Netty {@link EventLoop}, with a
 * monotonic clock ({@link System#nanoTime()}). There is one instance per event loop
 * ({@link #of(EventLoop)}), so every connection on a loop hands the core the same scheduler and
 * the connections of a loop share one heartbeat sweep (the core keys sweeps by scheduler
 * identity).
 *
 * <p>Disposing it does nothing: the event loop belongs to Reactor Netty's loop resources, never
 * to a connection. The instance is forgotten when its event loop terminates.
 */
final class EventLoopScheduler implements Scheduler {

  private static final Map<EventLoop, EventLoopScheduler> BY_LOOP = new ConcurrentHashMap<>();

  private final EventLoop loop;

  private EventLoopScheduler(EventLoop loop) {
    this.loop = loop;
  }

  /** The scheduler of {@code loop}: the same instance for every call with the same loop. */
  static EventLoopScheduler of(EventLoop loop) {
    Objects.requireNonNull(loop, "loop");
    EventLoopScheduler existing = BY_LOOP.get(loop);
    if (existing != null) {
      return existing;
    }
    EventLoopScheduler created = new EventLoopScheduler(loop);
    EventLoopScheduler raced = BY_LOOP.putIfAbsent(loop, created);
    if (raced != null) {
      return raced;
    }
    loop.terminationFuture().addListener(f -> BY_LOOP.remove(loop, created));
    return created;
  }

  /** The event loop this scheduler runs on. */
  EventLoop eventLoop() {
    return loop;
  }

  @Override
  public long now(TimeUnit unit) {
    return unit.convert(System.nanoTime(), TimeUnit.NANOSECONDS);
  }

  @Override
  public Disposable schedule(Runnable task) {
    Task wrapped = new Task(task);
    loop.execute(wrapped);
    return wrapped;
  }

  @Override
  public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
    if (delay <= 0) {
      return schedule(task);
    }
    Task wrapped = new Task(task);
    wrapped.future = loop.schedule(wrapped, delay, unit);
    return wrapped;
  }

  @Override
  public Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
    Task wrapped = new Task(task);
    if (period <= 0) {
      // Reactor's meaning of a zero period: run again as soon as the previous run finished.
      wrapped.future = loop.scheduleWithFixedDelay(wrapped, Math.max(0, initialDelay), 1, TimeUnit.NANOSECONDS);
    } else {
      wrapped.future = loop.scheduleAtFixedRate(wrapped, Math.max(0, initialDelay), period, unit);
    }
    return wrapped;
  }

  @Override
  public Worker createWorker() {
    return new LoopWorker(this); // the loop is one thread: tasks run one at a time, in order
  }

  /** Does nothing: the event loop is not this scheduler's to stop. */
  @Override
  public void dispose() {
  }

  @Override
  public boolean isDisposed() {
    return loop.isShuttingDown();
  }

  @Override
  public String toString() {
    return "EventLoopScheduler[" + loop + "]";
  }

  /**
   * A task that can be cancelled before it runs; for periodic tasks, cancelling stops the
   * following runs.
   */
  private static final class Task implements Runnable, Disposable {
    private final Runnable task;
    volatile @Nullable Future<?> future;
    private volatile boolean disposed;

    Task(Runnable task) {
      this.task = Objects.requireNonNull(task, "task");
    }

    @Override
    public void run() {
      if (disposed) {
        return;
      }
      try {
        task.run();
      } catch (Throwable error) {
        // A failing task must not surface on the event loop (Netty would only log it).
        Operators.onErrorDropped(error, Context.empty());
      }
    }

    @Override
    public void dispose() {
      if (disposed) {
        return;
      }
      disposed = true;
      Future<?> f = future;
      if (f != null) {
        f.cancel(false);
      }
    }

    @Override
    public boolean isDisposed() {
      return disposed;
    }
  }
}
