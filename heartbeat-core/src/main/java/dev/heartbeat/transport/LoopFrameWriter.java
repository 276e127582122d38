package dev.heartbeat.transport;

import dev.heartbeat.frame.WsFrame;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A connection's {@link WebSocketConnection#frameWriter() frame writer} for a transport whose
 * connection lives on one loop (an event loop, a Vert.x context). Frames are written in call order:
 * at once when the call is made on the loop and no frame is still waiting for it, otherwise as a
 * task of the loop, behind the ones waiting. A heartbeat sends from its sweep on the loop, so the
 * common case is one write and flush, with no queue, subscription or task hop.
 *
 * <p>{@code write} runs on the loop only; it checks that the connection is still open, and drops
 * the frame if it is not. A frame given once the loop has shut down is dropped: so is its
 * connection.
 */
public final class LoopFrameWriter implements Consumer<WsFrame> {

  private static final AtomicIntegerFieldUpdater<LoopFrameWriter> WAITING =
      AtomicIntegerFieldUpdater.newUpdater(LoopFrameWriter.class, "waiting");

  private final BooleanSupplier onLoop;
  private final Executor loop;
  private final Consumer<WsFrame> write;
  /** Frames handed to the loop's task queue and not written yet. */
  private volatile int waiting;

  /**
   * A writer that writes with {@code write} on {@code loop}; {@code onLoop} tells whether the
   * calling thread is the loop's.
   */
  public LoopFrameWriter(BooleanSupplier onLoop, Executor loop, Consumer<WsFrame> write) {
    this.onLoop = Objects.requireNonNull(onLoop, "onLoop");
    this.loop = Objects.requireNonNull(loop, "loop");
    this.write = Objects.requireNonNull(write, "write");
  }

  @Override
  public void accept(WsFrame frame) {
    Objects.requireNonNull(frame, "frame");
    if (frame instanceof WsFrame.Close) {
      throw new IllegalArgumentException("frame: send a close with close(CloseStatus), not as a frame");
    }
    if (waiting == 0 && onLoop.getAsBoolean()) {
      write.accept(frame);
      return;
    }
    WAITING.incrementAndGet(this);
    try {
      loop.execute(() -> {
        WAITING.decrementAndGet(this);
        write.accept(frame);
      });
    } catch (RejectedExecutionException loopGone) {
      WAITING.decrementAndGet(this);
    }
  }
}
