package dev.heartbeat.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.frame.WsFrame;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.test.StepVerifier;

/** The relay under every adapter's receive(): demand upstream, order and hand-over downstream. */
class InboundRelayTest {

  /** A source that only counts what the relay asked of it. */
  private static final class Source implements Subscription {
    final AtomicLong requested = new AtomicLong();
    final AtomicInteger cancelled = new AtomicInteger();

    @Override
    public void request(long n) {
      requested.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
    }

    @Override
    public void cancel() {
      cancelled.incrementAndGet();
    }
  }

  private static InboundRelay<WsFrame> relay(int capacity, Source source) {
    InboundRelay<WsFrame> relay = InboundRelay.create(capacity, frame -> frame, () -> { });
    relay.onSubscribe(source);
    return relay;
  }

  @Test
  void framesKeepTheirOrderWhetherHandedOverOrQueued() {
    Source source = new Source();
    InboundRelay<WsFrame> relay = relay(8, source);

    StepVerifier.create(relay, 0)
        .then(() -> {
          relay.onNext(WsFrame.text("a")); // no demand yet: both wait
          relay.onNext(WsFrame.text("b"));
        })
        .thenRequest(1)
        .expectNext(WsFrame.text("a"))
        .then(() -> relay.onNext(WsFrame.text("c"))) // "b" still waits, so "c" queues behind it
        .thenRequest(5)
        .expectNext(WsFrame.text("b"), WsFrame.text("c"))
        .then(() -> relay.onNext(WsFrame.text("d"))) // asked for, nothing waiting: handed over
        .expectNext(WsFrame.text("d"))
        .then(relay::onComplete)
        .verifyComplete();
    assertEquals(0, source.cancelled.get(), "it never cancels its source");
  }

  @Test
  void itKeepsCapacityFramesOfDemandUpstreamAndStopsReadingWhenFull() {
    Source source = new Source();
    InboundRelay<WsFrame> relay = relay(3, source);
    assertEquals(3, source.requested.get(), "capacity asked for before anyone reads");

    StepVerifier.create(relay, 0)
        .then(() -> {
          for (int i = 0; i < 3; i++) {
            relay.onNext(WsFrame.text("f" + i));
          }
        })
        .then(() -> {
          assertTrue(relay.isBackedUp(), "three unread frames fill it");
          assertEquals(3, source.requested.get(), "and it asks for no more");
        })
        .thenRequest(2)
        .expectNext(WsFrame.text("f0"), WsFrame.text("f1"))
        .then(() -> {
          assertFalse(relay.isBackedUp());
          assertEquals(5, source.requested.get(), "one more frame asked for per frame delivered");
        })
        .thenCancel()
        .verify();
  }

  @Test
  void aFrameHandedOverIsReplacedUpstreamAsAQueuedOneIs() {
    Source source = new Source();
    InboundRelay<WsFrame> relay = relay(2, source);

    StepVerifier.create(relay, 10)
        .then(() -> relay.onNext(WsFrame.text("x")))
        .expectNext(WsFrame.text("x"))
        .then(() -> {
          assertEquals(3, source.requested.get(), "demand upstream stays at capacity");
          assertFalse(relay.isBackedUp());
        })
        .thenCancel()
        .verify();
  }

  @Test
  void aFailureEndsTheStreamAfterTheFramesAlreadyHeld() {
    Source source = new Source();
    InboundRelay<WsFrame> relay = relay(4, source);
    IllegalStateException cause = new IllegalStateException("peer vanished");

    StepVerifier.create(relay, 0)
        .then(() -> {
          relay.onNext(WsFrame.text("held"));
          relay.fail(cause);
          relay.onNext(WsFrame.text("late")); // after the end: dropped, its demand given back
        })
        .thenRequest(1)
        .expectNext(WsFrame.text("held"))
        .verifyErrorMatches(error -> error == cause);
  }

  @Test
  void afterTheSubscriberCancelsItReadsOnAndDrops() {
    Source source = new Source();
    AtomicInteger cancels = new AtomicInteger();
    InboundRelay<WsFrame> relay = InboundRelay.create(2, frame -> frame, cancels::incrementAndGet);
    relay.onSubscribe(source);

    StepVerifier.create(relay, 0)
        .then(() -> relay.onNext(WsFrame.text("unread")))
        .thenCancel()
        .verify();
    assertEquals(1, cancels.get());
    assertEquals(Long.MAX_VALUE, source.requested.get(), "it reads everything from now on");
    assertEquals(0, source.cancelled.get(), "and never cancels its source");
    assertFalse(relay.isBackedUp());
  }

  @Test
  void aSecondSubscriberIsRefused() {
    InboundRelay<WsFrame> relay = relay(2, new Source());
    relay.subscribe();
    StepVerifier.create(relay)
        .verifyErrorMatches(error -> error instanceof IllegalStateException
            && error.getMessage().contains("only one subscriber"));
  }
}
