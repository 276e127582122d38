package dev.heartbeat.reconnect;

import dev.heartbeat.frame.WsFrame;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * The session's one bounded FIFO of outbound frames. Frames wait here while offline and while
 * the connection requests none; at most one {@link Drain} (the current connection's) takes them,
 * one per request, so no frame moves into an unbounded buffer. Frames the connection refuses
 * synchronously (its {@code onNext} cancels the drain, as a closed connection does) go back to
 * the head, in order. Dropped frames are reported to the listener outside the lock.
 */
final class OutboundQueue {

  /** What {@link #offer} did with a frame. */
  enum Outcome {
    /** Queued (under DROP_OLDEST perhaps after evicting the oldest frame, which was reported). */
    QUEUED,
    /** Full under DROP_NEWEST: the frame was dropped and reported. */
    DISCARDED,
    /** Full under FAIL: the frame was refused; the caller reports it and fails the send. */
    REJECTED,
    /** The queue is closed: the session has ended. */
    CLOSED
  }

  private final int capacity;
  private final OverflowRule rule;
  private final BiConsumer<WsFrame, DropReason> dropped;
  private final ArrayDeque<WsFrame> frames = new ArrayDeque<>();
  private @Nullable Drain active;
  private boolean closed;

  OutboundQueue(int capacity, OverflowRule rule, BiConsumer<WsFrame, DropReason> dropped) {
    this.capacity = capacity;
    this.rule = rule;
    this.dropped = dropped;
  }

  /** Queues {@code frame} under the overflow rule and wakes the drain. */
  Outcome offer(WsFrame frame) {
    Outcome outcome;
    WsFrame evicted = null;
    Drain drain;
    synchronized (this) {
      if (closed) {
        return Outcome.CLOSED;
      }
      if (frames.size() >= capacity) {
        switch (rule) {
          case FAIL:
            return Outcome.REJECTED;
          case DROP_NEWEST:
            outcome = Outcome.DISCARDED;
            break;
          case DROP_OLDEST:
          default:
            evicted = frames.pollFirst();
            frames.addLast(frame);
            outcome = Outcome.QUEUED;
            break;
        }
      } else {
        frames.addLast(frame);
        outcome = Outcome.QUEUED;
      }
      drain = active;
    }
    if (evicted != null) {
      dropped.accept(evicted, DropReason.OLDEST_EVICTED);
    }
    if (outcome == Outcome.DISCARDED) {
      dropped.accept(frame, DropReason.NEWEST_DISCARDED);
    }
    if (drain != null) {
      drain.drain();
    }
    return outcome;
  }

  /** How many frames wait. */
  synchronized int size() {
    return frames.size();
  }

  /**
   * The frames for one connection, in order and on demand: subscribing makes that subscriber the
   * only one served (a previous one gets no more frames); cancelling detaches it. Frames are
   * handed over only while {@code open} says the connection is open.
   */
  Flux<WsFrame> drain(BooleanSupplier open) {
    return new Flux<>() {
      @Override
      public void subscribe(CoreSubscriber<? super WsFrame> actual) {
        Drain drain = new Drain(actual, open);
        synchronized (OutboundQueue.this) {
          if (!closed) {
            active = drain;
          }
        }
        actual.onSubscribe(drain);
      }
    };
  }

  /** Closes the queue: no more offers; every frame still queued is reported as dropped. */
  void close() {
    List<WsFrame> rest;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      active = null;
      rest = List.copyOf(frames);
      frames.clear();
    }
    rest.forEach(frame -> dropped.accept(frame, DropReason.SESSION_ENDED));
  }

  private synchronized @Nullable WsFrame poll(Drain drain) {
    return active == drain && !closed ? frames.pollFirst() : null;
  }

  private void pushBack(WsFrame frame) {
    synchronized (this) {
      if (!closed) {
        // May briefly hold capacity + 1 frames: the refused one was counted out when it left.
        frames.addFirst(frame);
        return;
      }
    }
    dropped.accept(frame, DropReason.SESSION_ENDED);
  }

  private synchronized void detach(Drain drain) {
    if (active == drain) {
      active = null;
    }
  }

  /** One connection's subscription to the queue: a classic request/drain loop. */
  private final class Drain implements Subscription {
    private final CoreSubscriber<? super WsFrame> actual;
    private final BooleanSupplier open;
    private volatile long requested;
    private volatile int wip;
    private volatile boolean cancelled;
    private volatile @Nullable Thread emitting;
    private volatile boolean refusedDuringEmit;

    private static final AtomicLongFieldUpdater<Drain> REQUESTED =
        AtomicLongFieldUpdater.newUpdater(Drain.class, "requested");
    private static final AtomicIntegerFieldUpdater<Drain> WIP =
        AtomicIntegerFieldUpdater.newUpdater(Drain.class, "wip");

    Drain(CoreSubscriber<? super WsFrame> actual, BooleanSupplier open) {
      this.actual = actual;
      this.open = open;
    }

    @Override
    public void request(long n) {
      if (Operators.validate(n)) {
        Operators.addCap(REQUESTED, this, n);
        drain();
      }
    }

    @Override
    public void cancel() {
      if (emitting == Thread.currentThread()) {
        refusedDuringEmit = true; // the frame being emitted was not taken
      }
      cancelled = true;
      detach(this);
    }

    void drain() {
      if (WIP.getAndIncrement(this) != 0) {
        return;
      }
      int missed = 1;
      for (;;) {
        long r = requested;
        long e = 0;
        while (e != r && !cancelled && open.getAsBoolean()) {
          WsFrame frame = poll(this);
          if (frame == null) {
            break;
          }
          emitting = Thread.currentThread();
          try {
            actual.onNext(frame);
          } finally {
            emitting = null;
          }
          if (refusedDuringEmit) {
            pushBack(frame);
            return;
          }
          e++;
        }
        if (e != 0) {
          Operators.produced(REQUESTED, this, e);
        }
        if (cancelled) {
          return;
        }
        missed = WIP.addAndGet(this, -missed);
        if (missed == 0) {
          return;
        }
      }
    }
  }
}
