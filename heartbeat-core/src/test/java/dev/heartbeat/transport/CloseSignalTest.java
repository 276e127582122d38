package dev.heartbeat.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.frame.CloseStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Hooks;
import reactor.test.StepVerifier;
import reactor.test.util.RaceTestUtils;

/** The close signal under every adapter's onClose(): once, in order, replayed, demand kept. */
class CloseSignalTest {

  @AfterEach
  void resetHooks() {
    Hooks.resetOnErrorDropped();
  }

  @Test
  void theFirstStatusWinsAndCallbacksRunInOrderLateOnesAtOnce() {
    CloseSignal signal = CloseSignal.create();
    List<String> told = new ArrayList<>();
    signal.whenClosed(status -> told.add("a " + status.code()));
    signal.whenClosed(status -> told.add("b " + status.code()));
    assertNull(signal.status());
    assertEquals(List.of(), told);

    assertTrue(signal.tryEmit(CloseStatus.of(4001, "first")));
    assertFalse(signal.tryEmit(CloseStatus.of(4002, "second")));
    assertEquals(List.of("a 4001", "b 4001"), told);
    signal.whenClosed(status -> told.add("late " + status.code()));
    assertEquals(List.of("a 4001", "b 4001", "late 4001"), told);
    assertEquals(4001, signal.status().code());
  }

  @Test
  void subscribersGetTheStatusOnceAskedAndLateOnesGetItReplayed() {
    CloseSignal signal = CloseSignal.create();
    CloseStatus status = CloseStatus.of(4003, "bye");
    StepVerifier.create(signal, 0)
        .expectSubscription()
        .then(() -> signal.tryEmit(status))
        .expectNoEvent(Duration.ZERO) // emitted, but not asked for yet
        .thenRequest(1)
        .expectNext(status)
        .verifyComplete();
    StepVerifier.create(signal).expectNext(status).verifyComplete();
    StepVerifier.create(signal.then()).verifyComplete();
  }

  @Test
  void aCancelledSubscriberIsForgottenAndTheOthersStillHear() {
    CloseSignal signal = CloseSignal.create();
    List<CloseStatus> heard = new CopyOnWriteArrayList<>();
    Disposable cancelled = signal.subscribe(heard::add);
    signal.subscribe(heard::add);
    cancelled.dispose();
    signal.tryEmit(CloseStatus.NORMAL);
    assertEquals(List.of(CloseStatus.NORMAL), heard);
  }

  @Test
  void aForgottenCallbackDoesNotRunAndTheOthersStillDo() {
    CloseSignal signal = CloseSignal.create();
    List<String> told = new ArrayList<>();
    java.util.function.Consumer<CloseStatus> forgotten = status -> told.add("forgotten");
    signal.whenClosed(forgotten);
    signal.whenClosed(status -> told.add("kept"));
    signal.forget(forgotten);
    signal.forget(status -> told.add("never added")); // nothing to forget: no effect
    signal.tryEmit(CloseStatus.NORMAL);
    assertEquals(List.of("kept"), told);
  }

  @Test
  void aCallbackThatThrowsIsReportedAsDroppedAndTheNextOneStillRuns() {
    List<Throwable> dropped = new CopyOnWriteArrayList<>();
    Hooks.onErrorDropped(dropped::add);
    CloseSignal signal = CloseSignal.create();
    AtomicInteger after = new AtomicInteger();
    signal.whenClosed(status -> {
      throw new IllegalStateException("listener failed");
    });
    signal.whenClosed(status -> after.incrementAndGet());
    signal.tryEmit(CloseStatus.ABNORMAL);
    assertEquals(1, after.get());
    assertEquals(1, dropped.size());
    assertEquals("listener failed", dropped.get(0).getMessage());
  }

  @Test
  void aCallbackAddedWhileTheStatusIsEmittedRunsExactlyOnce() {
    for (int i = 0; i < 2_000; i++) {
      CloseSignal signal = CloseSignal.create();
      AtomicInteger runs = new AtomicInteger();
      AtomicInteger subscribed = new AtomicInteger();
      RaceTestUtils.race(
          () -> signal.tryEmit(CloseStatus.NORMAL),
          () -> {
            signal.whenClosed(status -> runs.incrementAndGet());
            signal.subscribe(status -> subscribed.incrementAndGet());
          });
      assertEquals(1, runs.get(), "round " + i);
      assertEquals(1, subscribed.get(), "round " + i);
      assertSame(CloseStatus.NORMAL, signal.status());
    }
  }
}
