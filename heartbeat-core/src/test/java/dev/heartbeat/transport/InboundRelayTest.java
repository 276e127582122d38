package dev.heartbeat.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.frame.WsFrame;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.Scannable;
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
          assertEquals(3, Scannable.from(relay).scan(Scannable.Attr.BUFFERED), "what Reactor sees it hold");
          assertEquals(3, Scannable.from(relay).scan(Scannable.Attr.PREFETCH));
        })
        .thenRequest(2)
        .expectNext(WsFrame.text("f0"), WsFrame.text("f1"))
        .then(() -> {
          assertFalse(relay.isBackedUp());
          assertEquals(1, Scannable.from(relay).scan(Scannable.Attr.BUFFERED));
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
  void aSourceErrorFailsTheStreamOrCompletesItForARelayMadeToComplete() {
    IllegalStateException cause = new IllegalStateException("read failed");
    InboundRelay<WsFrame> failing = relay(4, new Source());
    StepVerifier.create(failing)
        .then(() -> {
          failing.onNext(WsFrame.text("before"));
          failing.onError(cause);
        })
        .expectNext(WsFrame.text("before"))
        .verifyErrorMatches(error -> error == cause);

    InboundRelay<WsFrame> completing = InboundRelay.completingOnError(4, frame -> frame, () -> { });
    completing.onSubscribe(new Source());
    StepVerifier.create(completing)
        .then(() -> {
          completing.onNext(WsFrame.text("before"));
          completing.onError(cause);
        })
        .expectNext(WsFrame.text("before"))
        .verifyComplete();
  }

  @Test
  void anInterceptorSeesEveryFrameOnArrivalKeepsWhatItConsumesAndHearsTheCancel() {
    Source source = new Source();
    AtomicInteger ownCancels = new AtomicInteger();
    AtomicInteger interceptorCancels = new AtomicInteger();
    InboundRelay<WsFrame> relay = InboundRelay.create(4, frame -> frame, ownCancels::incrementAndGet);
    relay.onSubscribe(source);
    java.util.List<WsFrame> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    assertTrue(relay.intercept(frame -> {
      seen.add(frame);
      return frame instanceof WsFrame.Pong ? null : frame;
    }, interceptorCancels::incrementAndGet));
    assertFalse(relay.intercept(frame -> frame, () -> { }), "only one interceptor");

    relay.onNext(WsFrame.pong(new byte[0])); // seen with nobody reading, kept from the stream
    relay.onNext(WsFrame.text("a"));
    assertEquals(2, seen.size());
    assertEquals(4 + 1, source.requested.get(), "the consumed pong's demand is given back at once");
    StepVerifier.create(relay)
        .expectNext(WsFrame.text("a"))
        .thenCancel()
        .verify();
    assertEquals(1, ownCancels.get());
    assertEquals(1, interceptorCancels.get());
  }

  @Test
  void noInterceptorOnceAFrameArrivedOrSomeoneSubscribed() {
    InboundRelay<WsFrame> read = relay(4, new Source());
    read.onNext(WsFrame.text("a"));
    assertFalse(read.intercept(frame -> frame, () -> { }), "a frame admitted without it would be missed");

    InboundRelay<WsFrame> subscribed = relay(4, new Source());
    subscribed.subscribe(frame -> { });
    assertFalse(subscribed.intercept(frame -> frame, () -> { }));
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
