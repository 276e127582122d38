package dev.heartbeat.examples.browser;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Waits on a condition by polling it, with a deadline: the browser and the server run on their
 * own clocks, so a test can only look again until what it expects shows up (or must stay).
 */
final class Await {

  /** How often a condition is looked at again. */
  static final Duration POLL = Duration.ofMillis(50);

  private Await() {}

  /**
   * Returns the first value of {@code probe} that {@code ok} accepts.
   *
   * @throws AssertionError naming {@code what} and the last value seen when none did within
   *     {@code deadline}
   */
  static <T> T until(String what, Duration deadline, Supplier<T> probe, Predicate<? super T> ok) {
    AtomicReference<T> last = new AtomicReference<>();
    Polls<T> polls = new Polls<>(probe);
    T found;
    try {
      found = polls.flux().doOnNext(last::set).filter(ok::test).next().timeout(deadline, Mono.empty()).block();
    } finally {
      polls.stop();
    }
    if (found == null) {
      throw new AssertionError("waited " + deadline.toMillis() + " ms for " + what + "; last seen: " + last.get());
    }
    return found;
  }

  /**
   * Checks that {@code ok} accepts every value of {@code probe} for the whole of {@code window}:
   * how a test shows that something does not happen (a reconnect that must not come).
   *
   * @throws AssertionError naming {@code what} and the first value it rejected
   */
  static <T> void holds(String what, Duration window, Supplier<T> probe, Predicate<? super T> ok) {
    Polls<T> polls = new Polls<>(probe);
    List<T> seen;
    try {
      seen = polls.flux().take(window).collectList().block();
    } finally {
      polls.stop();
    }
    if (seen == null || seen.size() < 2) {
      throw new AssertionError("looked at " + what + " fewer than twice in " + window.toMillis() + " ms");
    }
    for (T value : seen) {
      if (!ok.test(value)) {
        throw new AssertionError(what + " did not hold for " + window.toMillis() + " ms; saw " + value + " among " + seen);
      }
    }
  }

  /**
   * One probe at once, then one a {@link #POLL} after the previous one finished (a slow probe
   * never piles up). {@link #stop()} returns once no probe runs nor will: cancelling does not
   * stop a probe in flight, and one that switched the browser's tab after the wait returned
   * would pull the tab from under the test's next command.
   */
  private static final class Polls<T> {
    private final Supplier<T> probe;
    private boolean stopped;

    Polls(Supplier<T> probe) {
      this.probe = probe;
    }

    Flux<T> flux() {
      return Mono.fromSupplier(this::probeUnlessStopped)
          .repeatWhen(done -> done.delayElements(POLL, Schedulers.boundedElastic()))
          .subscribeOn(Schedulers.boundedElastic());
    }

    private synchronized T probeUnlessStopped() {
      return stopped ? null : probe.get();
    }

    synchronized void stop() {
      stopped = true;
    }
  }
}
