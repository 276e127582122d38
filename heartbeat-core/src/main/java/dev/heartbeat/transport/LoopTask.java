package dev.heartbeat.transport;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * One task a transport's loop scheduler hands to its loop (an event loop, a Vert.x context): it
 * runs unless it was disposed; an error it throws goes to Reactor's dropped-error hook instead
 * of the loop, which would only log it (a JVM-fatal one is rethrown); and disposing it cancels
 * the loop's own handle of it (a timer, a future), given with {@link #cancelWith}.
 */
public final class LoopTask implements Runnable, Disposable {

  private final Runnable task;
  private volatile boolean disposed;
  private volatile @Nullable Runnable cancel;

  /** A task that runs {@code task}. */
  public LoopTask(Runnable task) {
    this.task = Objects.requireNonNull(task, "task");
  }

  /**
   * How to cancel the loop's current handle of this task (a periodic task may get a new one
   * after its first run); runs {@code cancel} at once when the task is disposed already.
   */
  public void cancelWith(Runnable cancel) {
    this.cancel = Objects.requireNonNull(cancel, "cancel");
    if (disposed) {
      cancel.run(); // disposed while the loop was scheduling it: cancelling twice is harmless
    }
  }

  @Override
  public void run() {
    if (disposed) {
      return;
    }
    try {
      task.run();
    } catch (Throwable error) {
      Exceptions.throwIfJvmFatal(error);
      Operators.onErrorDropped(error, Context.empty());
    }
  }

  @Override
  public void dispose() {
    if (disposed) {
      return;
    }
    disposed = true;
    Runnable c = cancel;
    if (c != null) {
      c.run();
    }
  }

  @Override
  public boolean isDisposed() {
    return disposed;
  }
}
