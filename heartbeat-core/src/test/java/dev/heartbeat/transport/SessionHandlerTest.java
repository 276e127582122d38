package dev.heartbeat.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.local.LocalConnectionPair;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** How every server transport runs its handler: the close codes it ends with, and its end. */
class SessionHandlerTest {

  private static final Duration DEADLINE = Duration.ofSeconds(5);

  private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();
  private final LocalConnectionPair pair = LocalConnectionPair.create(clock);

  private CloseStatus serverStatus() {
    clock.advanceTime();
    return pair.server().onClose().block(DEADLINE);
  }

  @Test
  void aHandlerThatCompletesClosesWith1000AndTheRunEndsWithTheConnection() {
    StepVerifier.create(SessionHandler.serve(pair.server(), session -> Mono.empty()))
        .then(clock::advanceTime)
        .verifyComplete();
    assertEquals(1000, serverStatus().code());
    assertEquals(1000, pair.client().onClose().block(DEADLINE).code());
  }

  @Test
  void aHandlerThatFailsOrThrowsClosesWith1011() {
    SessionHandler.serve(pair.server(), session -> Mono.error(new IllegalStateException("boom"))).subscribe();
    assertEquals(1011, serverStatus().code());

    LocalConnectionPair other = LocalConnectionPair.create(clock);
    SessionHandler.serve(other.server(), session -> {
      throw new IllegalStateException("thrown");
    }).subscribe();
    clock.advanceTime();
    assertEquals(1011, other.server().onClose().block(DEADLINE).code());
  }

  @Test
  void thePeersCloseCancelsTheHandlerAfterAHandlerWaitingForItHeardIt() {
    Sinks.Empty<Void> cancelled = Sinks.empty();
    List<String> order = new CopyOnWriteArrayList<>();
    Mono<Void> run = SessionHandler.serve(pair.server(), session -> {
      session.whenClosed(status -> order.add("handler heard " + status.code()));
      return Mono.<Void>never().doOnCancel(() -> {
        order.add("handler cancelled");
        cancelled.tryEmitEmpty();
      });
    });
    StepVerifier.create(run)
        .then(() -> pair.client().close(CloseStatus.of(4001, "bye")).subscribe())
        .then(clock::advanceTime)
        .verifyComplete();
    assertEquals(List.of("handler heard 4001", "handler cancelled"), order);
    assertEquals(4001, serverStatus().code());
  }

  @Test
  void cancellingTheRunLeavesTheHandlerRunning() {
    Sinks.Empty<Void> cancelled = Sinks.empty();
    SessionHandler.serve(pair.server(), session -> Mono.<Void>never().doOnCancel(cancelled::tryEmitEmpty))
        .subscribe()
        .dispose();
    assertTrue(pair.server().isOpen());
    pair.client().close(CloseStatus.NORMAL).subscribe();
    clock.advanceTime();
    StepVerifier.create(cancelled.asMono()).verifyComplete(); // the close still stops it
  }
}
