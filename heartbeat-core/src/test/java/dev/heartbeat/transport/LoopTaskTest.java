package dev.heartbeat.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Hooks;

/** The task every loop scheduler hands its loop: runs unless disposed, keeps errors off the loop. */
class LoopTaskTest {

  @AfterEach
  void resetHooks() {
    Hooks.resetOnErrorDropped();
  }

  @Test
  void itRunsUntilDisposedAndThenNoMore() {
    AtomicInteger runs = new AtomicInteger();
    LoopTask task = new LoopTask(runs::incrementAndGet);
    task.run();
    task.run(); // a periodic task runs again
    task.dispose();
    task.run();
    assertEquals(2, runs.get());
    assertTrue(task.isDisposed());
  }

  @Test
  void disposingCancelsTheLoopsHandleOnceEvenWhenItCameLate() {
    AtomicInteger cancels = new AtomicInteger();
    LoopTask task = new LoopTask(() -> { });
    task.cancelWith(cancels::incrementAndGet);
    task.dispose();
    task.dispose();
    assertEquals(1, cancels.get());

    AtomicInteger late = new AtomicInteger();
    task.cancelWith(late::incrementAndGet); // the loop handed its handle over after the dispose
    assertEquals(1, late.get(), "a handle given after the dispose is cancelled at once");
  }

  @Test
  void anErrorGoesToReactorsHookNotToTheLoop() {
    List<Throwable> dropped = new CopyOnWriteArrayList<>();
    Hooks.onErrorDropped(dropped::add);
    IllegalStateException failure = new IllegalStateException("task failed");
    new LoopTask(() -> {
      throw failure;
    }).run();
    assertEquals(1, dropped.size());
    assertSame(failure, dropped.get(0));
  }

  @Test
  void aJvmFatalErrorIsRethrown() {
    OutOfMemoryError fatal = new OutOfMemoryError("test");
    assertSame(fatal, assertThrows(OutOfMemoryError.class, () -> new LoopTask(() -> {
      throw fatal;
    }).run()));
  }
}
