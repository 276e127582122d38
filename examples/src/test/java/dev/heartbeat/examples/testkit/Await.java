package dev.heartbeat.examples.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;

/** Waits for a condition over real sockets: checked every 20 ms, failing at a deadline. */
public final class Await {

  private static final Duration EVERY = Duration.ofMillis(20);

  private Await() {}

  /**
   * The first value of {@code probe} that {@code done} accepts, checked now and then every 20 ms.
   *
   * @throws AssertionError naming {@code what} and the last value when {@code deadline} passes
   */
  public static <T> T until(String what, Supplier<T> probe, Predicate<? super T> done, Duration deadline) {
    Object[] last = {null};
    try {
      return Objects.requireNonNull(Flux.interval(Duration.ZERO, EVERY)
          .onBackpressureDrop()
          .concatMap(tick -> Flux.just(probe.get()), 1)
          .doOnNext(value -> last[0] = value)
          .filter(done::test)
          .next()
          .timeout(deadline)
          .block());
    } catch (RuntimeException failed) {
      if (failed.getCause() instanceof TimeoutException) {
        throw new AssertionError(what + ": not within " + deadline + ", last seen: " + last[0], failed);
      }
      throw failed;
    }
  }
}
