package dev.heartbeat.local;

import dev.heartbeat.frame.WsFrame;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import reactor.core.scheduler.Scheduler;

/**
 * One direction of a {@link LocalConnectionPair}: the wire from one side to the other, with
 * the faults a real network has. Frames are delivered in order on the receiver's scheduler.
 *
 * <ul>
 *   <li>{@link #freeze()}: stop delivering without closing, holding what is sent, like a stuck
 *       proxy or a suspended peer; {@link #resume()} delivers what was held, in order.</li>
 *   <li>{@link #blackhole()}: stop delivering and lose what is sent, like a network that
 *       vanished (half-open TCP): nobody is told.</li>
 *   <li>{@link #delay(Duration)}: deliver every frame this much later.</li>
 * </ul>
 */
public final class Link {

  private final Scheduler.Worker worker;
  private final Consumer<WsFrame> receiver;
  private final ArrayDeque<WsFrame> held = new ArrayDeque<>();
  /** Senders waiting for room in the window, each to be handed one credit. */
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  /** Room left in the window: frames sent and not yet read by the receiving application. */
  private int credits;
  private volatile Duration delay = Duration.ZERO;
  private boolean frozen;
  private boolean blackholed;
  private boolean cut;

  Link(Scheduler receiverScheduler, Consumer<WsFrame> receiver, int window) {
    this.worker = receiverScheduler.createWorker();
    this.receiver = receiver;
    this.credits = window;
  }

  /**
   * Takes room for one frame in the window, like TCP's: true when there is some; otherwise
   * {@code whenRoom} runs, holding the credit, once the receiving application reads a frame.
   */
  boolean acquire(Runnable whenRoom) {
    synchronized (this) {
      if (cut || credits > 0) {
        if (!cut) {
          credits--;
        }
        return true;
      }
      waiting.add(whenRoom);
      return false;
    }
  }

  /** Gives back room for one frame: the receiver read one, or one was lost, or not sent. */
  void release() {
    Runnable next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        credits++;
        return;
      }
    }
    next.run();
  }

  /** Holds every frame sent from now on until {@link #resume()}; the connection stays open. */
  public synchronized Link freeze() {
    frozen = true;
    return this;
  }

  /** Loses every frame sent from now on until {@link #resume()}; the connection stays open. */
  public synchronized Link blackhole() {
    blackholed = true;
    return this;
  }

  /** Delivers held frames in order and ends {@link #freeze()} and {@link #blackhole()}. */
  public Link resume() {
    ArrayDeque<WsFrame> release;
    synchronized (this) {
      frozen = false;
      blackholed = false;
      release = new ArrayDeque<>(held);
      held.clear();
    }
    release.forEach(this::transmit);
    return this;
  }

  /** Delivers every frame sent from now on {@code delay} later. */
  public Link delay(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay: must not be negative, got " + delay);
    }
    this.delay = delay;
    return this;
  }

  /** Whether frames are currently held or lost. */
  public synchronized boolean isInterrupted() {
    return frozen || blackholed;
  }

  /**
   * Puts {@code frame} on the wire; false when the connection under it was dropped, which the
   * sender must report (a real socket fails such a write too). A blackholed frame counts as
   * sent: the sender cannot know.
   */
  boolean send(WsFrame frame) {
    synchronized (this) {
      if (cut) {
        return false;
      }
      if (blackholed) {
        credits++; // lost on the way: it will never be read
        return true;
      }
      if (frozen) {
        held.add(frame);
        return true;
      }
    }
    transmit(frame);
    return true;
  }

  /**
   * Runs {@code task} on the receiver's side, after frames already in flight. Once both sides
   * have closed the worker is disposed and there is nothing left to do: the task is skipped
   * (a close whose echo already closed both sides, a kill racing a close).
   */
  void onReceiverSide(Runnable task) {
    try {
      worker.schedule(task);
    } catch (RejectedExecutionException bothSidesClosed) {
      // the connection pair is fully closed; terminate() would be a no-op
    }
  }

  /** Wakes every sender waiting for room: the connection ended, their writes will fail. */
  void wakeWaiting() {
    ArrayDeque<Runnable> wake;
    synchronized (this) {
      wake = new ArrayDeque<>(waiting);
      waiting.clear();
    }
    wake.forEach(Runnable::run);
  }

  /** Loses every frame in flight or held, and everything sent after. */
  void cut() {
    synchronized (this) {
      cut = true;
      held.clear();
    }
    wakeWaiting(); // they go on, and find the connection gone
  }

  void dispose() {
    worker.dispose();
  }

  private void transmit(WsFrame frame) {
    long nanos = delay.toNanos();
    Runnable delivery = () -> {
      synchronized (this) {
        if (cut) {
          return;
        }
      }
      receiver.accept(frame);
    };
    try {
      if (nanos == 0) {
        worker.schedule(delivery);
      } else {
        worker.schedule(delivery, nanos, TimeUnit.NANOSECONDS);
      }
    } catch (RejectedExecutionException gone) {
      // Both sides closed meanwhile (a close racing a drop): there is nobody to deliver to.
    }
  }
}
