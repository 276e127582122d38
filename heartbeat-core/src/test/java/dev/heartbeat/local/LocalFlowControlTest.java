package dev.heartbeat.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.test.scheduler.VirtualTimeScheduler;

/** A peer that does not read backs its sender up, as over TCP: the window bounds what is in flight. */
class LocalFlowControlTest {

  private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();

  @Test
  void aReceiverThatDoesNotReadStopsTheSenderAtTheWindow() {
    LocalConnectionPair pair = LocalConnectionPair.create(URI.create("local:/ws"), clock, clock, 4);
    List<WsFrame> read = new ArrayList<>();
    AtomicReference<BaseSubscriber<WsFrame>> reader = new AtomicReference<>();
    pair.server().receive().subscribe(new BaseSubscriber<>() {
      @Override
      protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
        reader.set(this); // requests nothing: the application does not read
      }

      @Override
      protected void hookOnNext(WsFrame frame) {
        read.add(frame);
      }
    });
    List<Integer> pulled = new ArrayList<>();
    AtomicBoolean done = new AtomicBoolean();
    pair.client().send(Flux.range(0, 10).doOnNext(pulled::add).map(i -> WsFrame.text("m" + i)))
        .subscribe(null, null, () -> done.set(true));
    clock.advanceTimeBy(Duration.ofSeconds(1));
    assertEquals(List.of(0, 1, 2, 3), pulled, "4 frames in flight, then the sender waits");
    assertFalse(done.get());

    reader.get().request(3);
    clock.advanceTimeBy(Duration.ofMillis(1));
    assertEquals(3, read.size());
    assertEquals(7, pulled.size(), "each frame read makes room for one more");

    reader.get().request(Long.MAX_VALUE);
    clock.advanceTimeBy(Duration.ofMillis(1));
    assertEquals(10, read.size());
    assertTrue(done.get(), "the send completes once everything went through");
  }

  @Test
  void aSenderWaitingForRoomFailsWhenTheConnectionEnds() {
    LocalConnectionPair pair = LocalConnectionPair.create(URI.create("local:/ws"), clock, clock, 2);
    pair.server().receive().subscribe(new BaseSubscriber<>() {
      @Override
      protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
        // never reads
      }
    });
    AtomicReference<Throwable> failed = new AtomicReference<>();
    pair.client().send(Flux.range(0, 10).map(i -> WsFrame.text("m" + i))).subscribe(null, failed::set);
    clock.advanceTimeBy(Duration.ofSeconds(1));
    pair.server().close(CloseStatus.NORMAL).subscribe();
    clock.advanceTimeBy(Duration.ofSeconds(1));
    assertTrue(failed.get() instanceof IllegalStateException, "the waiting send errors, it does not hang: " + failed.get());
  }
}
