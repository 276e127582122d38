package dev.heartbeat.netty;

import dev.heartbeat.transport.LoopTask;
import dev.heartbeat.transport.LoopWorker;
import io.netty.channel.EventLoop;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

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
    LoopTask wrapped = new LoopTask(task);
    loop.execute(wrapped);
    return wrapped;
  }

  @Override
  public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
    if (delay <= 0) {
      return schedule(task);
    }
    LoopTask wrapped = new LoopTask(task);
    Future<?> scheduled = loop.schedule(wrapped, delay, unit);
    wrapped.cancelWith(() -> scheduled.cancel(false));
    return wrapped;
  }

  @Override
  public Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
    LoopTask wrapped = new LoopTask(task);
    Future<?> scheduled = period <= 0
        // Reactor's meaning of a zero period: run again as soon as the previous run finished.
        ? loop.scheduleWithFixedDelay(wrapped, Math.max(0, initialDelay), 1, TimeUnit.NANOSECONDS)
        : loop.scheduleAtFixedRate(wrapped, Math.max(0, initialDelay), period, unit);
    wrapped.cancelWith(() -> scheduled.cancel(false));
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
}
