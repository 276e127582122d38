package dev.heartbeat.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** The frame writer of loop-based transports, on a hand-driven loop: call order is write order. */
class LoopFrameWriterTest {

  private final Queue<Runnable> tasks = new ArrayDeque<>();
  private final List<WsFrame> written = new ArrayList<>();
  private boolean onLoop;
  private boolean loopGone;

  private final LoopFrameWriter writer = new LoopFrameWriter(() -> onLoop, task -> {
    if (loopGone) {
      throw new RejectedExecutionException("shut down");
    }
    tasks.add(task);
  }, written::add);

  private void runLoop() {
    onLoop = true;
    Runnable task;
    while ((task = tasks.poll()) != null) {
      task.run();
    }
  }

  private static WsFrame ping(int n) {
    return WsFrame.ping(new byte[] {(byte) n});
  }

  @Test
  void onTheLoopAFrameIsWrittenAtOnceWithoutATask() {
    onLoop = true;
    writer.accept(ping(1));
    assertEquals(List.of(ping(1)), written);
    assertEquals(0, tasks.size());
  }

  @Test
  void fromAnotherThreadAFrameWaitsForTheLoop() {
    writer.accept(ping(1));
    assertEquals(List.of(), written);
    runLoop();
    assertEquals(List.of(ping(1)), written);
  }

  @Test
  void aFrameWrittenOnTheLoopDoesNotOvertakeOneStillWaitingForIt() {
    writer.accept(ping(1)); // from another thread: queued
    onLoop = true;
    writer.accept(ping(2)); // on the loop, but behind the queued one
    assertEquals(List.of(), written, "ping 2 must not go out before ping 1");
    runLoop();
    writer.accept(ping(3)); // nothing waits any more: at once
    assertEquals(List.of(ping(1), ping(2), ping(3)), written);
  }

  @Test
  void aFrameForALoopThatIsGoneIsDroppedAndTheNextOnTheLoopIsNotHeldBack() {
    loopGone = true;
    writer.accept(ping(1));
    onLoop = true;
    writer.accept(ping(2));
    assertEquals(List.of(ping(2)), written);
  }

  @Test
  void aCloseFrameIsRefusedAtTheCall() {
    onLoop = true;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> writer.accept(WsFrame.close(CloseStatus.NORMAL)));
    assertEquals("frame: send a close with close(CloseStatus), not as a frame", e.getMessage());
    assertEquals(List.of(), written);
  }
}
