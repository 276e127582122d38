package dev.heartbeat.reconnect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.ConnectTimeoutException;
import dev.heartbeat.ConnectionClosedException;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.HeartbeatTimeoutException;
import dev.heartbeat.ReconnectExhaustedException;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.frame.CloseStatus;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class ReconnectStrategyTest {

  private static final Duration S1 = Duration.ofSeconds(1);

  private final VirtualTimeScheduler vts = VirtualTimeScheduler.create();

  private static ConnectionClosedException closed(CloseStatus status) {
    return ConnectionClosedException.of(status, false, Duration.ZERO);
  }

  private static ConnectionClosedException closedAfter(Duration uptime) {
    return ConnectionClosedException.of(CloseStatus.ABNORMAL, false, uptime);
  }

  // ------------------------------------------------------------------ delays

  @Test
  void delaysForAttempts1To8StayWithinJitterBounds() {
    ReconnectStrategy strategy = ReconnectStrategy.builder().multiplier(2).random(new Random(42)::nextDouble).build();
    Set<Duration> seen = new HashSet<>();
    for (int attempt = 1; attempt <= 8; attempt++) {
      long base = Math.min(30_000_000_000L, 1_000_000_000L << (attempt - 1));
      long nanos = strategy.delayFor(attempt).toNanos();
      assertTrue(nanos >= base / 2 && nanos <= base,
          "attempt " + attempt + ": " + nanos + " ns not in [" + base / 2 + ", " + base + "]");
      seen.add(strategy.delayFor(attempt));
    }
    assertTrue(seen.size() > 1);
    // Not just the bases: the random source moves the delays inside the window.
    assertTrue(seen.stream().anyMatch(d -> d.toNanos() % 1_000_000_000L != 0), seen.toString());
  }

  @Test
  void delaysAreExactWithoutJitter() {
    ReconnectStrategy strategy = ReconnectStrategy.builder().multiplier(2).jitter(0).random(new Random(42)::nextDouble).build();
    List<Duration> delays = new ArrayList<>();
    for (int attempt = 1; attempt <= 8; attempt++) {
      delays.add(strategy.delayFor(attempt));
    }
    assertEquals(List.of(S1, Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
        Duration.ofSeconds(16), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30)), delays);
  }

  @Test
  void jitterWindowEndsAreReachedByTheRandomSource() {
    ReconnectStrategy strategy = ReconnectStrategy.builder().minDelay(Duration.ofSeconds(4)).build();
    assertEquals(Duration.ofSeconds(4), strategy.toBuilder().random(() -> 0.0).build().delayFor(1));
    assertEquals(Duration.ofSeconds(2), strategy.toBuilder().random(() -> 1.0).build().delayFor(1));
    assertEquals(Duration.ofSeconds(3), strategy.toBuilder().random(() -> 0.5).build().delayFor(1));
  }

  @Test
  void fullJitterSpansZeroToTheBase() {
    ReconnectStrategy strategy = ReconnectStrategy.builder().multiplier(2).jitter(1.0).random(new Random(7)::nextDouble).build();
    for (int attempt = 1; attempt <= 8; attempt++) {
      long base = Math.min(30_000_000_000L, 1_000_000_000L << (attempt - 1));
      long nanos = strategy.delayFor(attempt).toNanos();
      assertTrue(nanos >= 0 && nanos <= base, "attempt " + attempt + ": " + nanos);
    }
    assertEquals(Duration.ZERO, strategy.toBuilder().random(() -> 1.0).build().delayFor(3));
    assertEquals(Duration.ofSeconds(4), strategy.toBuilder().random(() -> 0.0).build().delayFor(3));
  }

  @Test
  void delaysAreCappedAtMaxDelayWithoutOverflow() {
    ReconnectStrategy strategy = ReconnectStrategy.builder()
        .jitter(0).maxDelay(Duration.ofSeconds(10)).multiplier(3).build();
    assertEquals(Duration.ofSeconds(3), strategy.delayFor(2));
    assertEquals(Duration.ofSeconds(9), strategy.delayFor(3));
    assertEquals(Duration.ofSeconds(10), strategy.delayFor(4));
    assertEquals(Duration.ofSeconds(10), strategy.delayFor(100));
    assertEquals(Duration.ofSeconds(10), strategy.delayFor(Integer.MAX_VALUE));
  }

  @Test
  void multiplierOneKeepsTheDelayConstant() {
    ReconnectStrategy strategy = ReconnectStrategy.builder().jitter(0).multiplier(1).build();
    assertEquals(S1, strategy.delayFor(1));
    assertEquals(S1, strategy.delayFor(7));
  }

  @Test
  void theDefaultDelaysGrowByThirtyPercent() {
    ReconnectStrategy strategy = ReconnectStrategy.builder().jitter(0).build();
    assertEquals(S1, strategy.delayFor(1));
    assertEquals(Duration.ofMillis(1300), strategy.delayFor(2));
    assertEquals(Duration.ofMillis(1690), strategy.delayFor(3));
    assertEquals(Duration.ofSeconds(30), strategy.delayFor(14));
  }

  /**
   * The storm the defaults are chosen for (class javadoc): 5,000 clients cut off at the same
   * instant, each retrying with its own draws, and a server back after {@code outage}. Every
   * client comes back at its first attempt after that; the returns, counted per 100 ms from the
   * first to the last, must peak at no more than 3 times their mean. Doubling fails it, which
   * shows the count can tell the two apart.
   */
  @Test
  void manyClientsCutOffAtOnceComeBackSpreadOut() {
    Random random = new Random(2026);
    ReconnectStrategy defaults = ReconnectStrategy.builder().random(random::nextDouble).build();
    double worstDefault = 0;
    double worstDoubling = 0;
    for (long outageMs = 3_000; outageMs <= 30_000; outageMs += 500) {
      worstDefault = Math.max(worstDefault, peakOverMeanOfReturns(defaults, 5_000, outageMs));
      worstDoubling = Math.max(worstDoubling, peakOverMeanOfReturns(defaults.toBuilder().multiplier(2).build(), 5_000, outageMs));
    }
    assertTrue(worstDefault <= 3.0, "default strategy: busiest 100 ms = " + worstDefault + " x the mean");
    assertTrue(worstDoubling > 3.0, "doubling: busiest 100 ms = " + worstDoubling + " x the mean");
  }

  /** Peak over mean of the returns per 100 ms, from the first return to the last. */
  private static double peakOverMeanOfReturns(ReconnectStrategy strategy, int clients, long outageMs) {
    long outageNanos = TimeUnit.MILLISECONDS.toNanos(outageMs);
    long[] returns = new long[clients];
    for (int c = 0; c < clients; c++) {
      long t = 0;
      for (int attempt = 1; t < outageNanos; attempt++) {
        t += strategy.delayFor(attempt).toNanos();
      }
      returns[c] = t / 100_000_000L; // its 100 ms bin
    }
    long first = Arrays.stream(returns).min().orElseThrow();
    long last = Arrays.stream(returns).max().orElseThrow();
    int[] perBin = new int[(int) (last - first + 1)];
    for (long bin : returns) {
      perBin[(int) (bin - first)]++;
    }
    int peak = Arrays.stream(perBin).max().orElseThrow();
    return peak / ((double) clients / perBin.length);
  }

  @Test
  void firstDelayIsRandom() {
    Duration seed1 = ReconnectStrategy.builder().random(new Random(1)::nextDouble).build().delayFor(1);
    Duration seed2 = ReconnectStrategy.builder().random(new Random(2)::nextDouble).build().delayFor(1);
    assertNotEquals(seed1, seed2);
    assertTrue(seed1.compareTo(Duration.ofMillis(500)) >= 0 && seed1.compareTo(S1) <= 0, seed1.toString());
    assertTrue(seed2.compareTo(Duration.ofMillis(500)) >= 0 && seed2.compareTo(S1) <= 0, seed2.toString());
  }

  @Test
  void delayForRejectsAttemptZero() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ReconnectStrategy.builder().build().delayFor(0));
    assertTrue(e.getMessage().startsWith("attempt"), e.getMessage());
  }

  @Test
  void tryAgainLaterWaitsTheRetryLaterDelayWithJitter() {
    ReconnectStrategy strategy = ReconnectStrategy.builder()
        .retryLaterDelay(Duration.ofSeconds(20)).random(new Random(42)::nextDouble).build();
    Duration delay = strategy.delayFor(1, closed(CloseStatus.TRY_AGAIN_LATER));
    assertTrue(delay.compareTo(Duration.ofSeconds(10)) >= 0 && delay.compareTo(Duration.ofSeconds(20)) <= 0,
        delay.toString());
    assertEquals(Duration.ofSeconds(30),
        ReconnectStrategy.builder().jitter(0).build().delayFor(1, closed(CloseStatus.TRY_AGAIN_LATER)),
        "by default the retry-later delay is maxDelay");
    assertEquals(S1, ReconnectStrategy.builder().jitter(0).build().delayFor(1, closed(CloseStatus.ABNORMAL)));
  }

  // ------------------------------------------------------------------ Retry

  @Test
  void retryGivesUpAfterMaxAttemptsAtTheExpectedInstants() {
    ReconnectStrategy strategy = ReconnectStrategy.builder().scheduler(vts).multiplier(2).jitter(0).maxAttempts(3).build();
    List<Long> subscribedAt = new ArrayList<>();
    ConnectException refused = new ConnectException("refused");
    StepVerifier.withVirtualTime(() -> Mono.defer(() -> {
              subscribedAt.add(vts.now(TimeUnit.MILLISECONDS));
              return Mono.error(refused);
            }).retryWhen(strategy.toRetry()), () -> vts, Long.MAX_VALUE)
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(6_999)) // retries at 1 s, 3 s, 7 s
        .thenAwait(Duration.ofMillis(1))
        .expectErrorSatisfies(error -> {
          ReconnectExhaustedException exhausted = assertInstanceOf(ReconnectExhaustedException.class, error);
          assertEquals(3, exhausted.attempts());
          assertSame(refused, exhausted.lastCause());
        })
        .verify(Duration.ofSeconds(5));
    assertEquals(List.of(0L, 1_000L, 3_000L, 7_000L), subscribedAt, "the first try and exactly 3 retries");
  }

  @Test
  void retryForeverNeverGivesUp() {
    ReconnectStrategy strategy = ReconnectStrategy.builder().scheduler(vts).jitter(0).maxAttempts(2).forever().build();
    AtomicInteger subscriptions = new AtomicInteger();
    StepVerifier.withVirtualTime(() -> Mono.defer(() -> subscriptions.incrementAndGet() < 50
                ? Mono.error(new ConnectException("refused")) : Mono.just("up"))
            .retryWhen(strategy.toRetry()), () -> vts, Long.MAX_VALUE)
        .thenAwait(Duration.ofHours(1))
        .expectNext("up")
        .verifyComplete();
    assertEquals(OptionalInt.empty(), strategy.maxAttempts());
    assertEquals(50, subscriptions.get());
  }

  @Test
  void attemptCountResetsAfterAConnectionStayedUpForResetAfter() {
    ReconnectStrategy strategy = ReconnectStrategy.builder()
        .scheduler(vts).multiplier(2).jitter(0).maxAttempts(2).resetAfter(Duration.ofSeconds(30)).build();
    // Without the reset the third failure would exhaust maxAttempts(2).
    List<Throwable> failures = List.of(closedAfter(Duration.ZERO), closedAfter(Duration.ZERO),
        closedAfter(Duration.ofSeconds(30)), closedAfter(Duration.ofSeconds(29)));
    List<Long> subscribedAt = new ArrayList<>();
    StepVerifier.withVirtualTime(() -> Mono.defer(() -> {
              subscribedAt.add(vts.now(TimeUnit.MILLISECONDS));
              int i = subscribedAt.size() - 1;
              return i < failures.size() ? Mono.error(failures.get(i)) : Mono.just("up");
            }).retryWhen(strategy.toRetry()), () -> vts, Long.MAX_VALUE)
        .thenAwait(Duration.ofMinutes(1))
        .expectNext("up")
        .verifyComplete();
    // delays: 1 s, 2 s, then reset to 1 s, then 2 s (29 s of uptime is not enough)
    assertEquals(List.of(0L, 1_000L, 3_000L, 4_000L, 6_000L), subscribedAt);
  }

  @Test
  void retryPassesTerminalErrorsThroughAtOnce() {
    ReconnectStrategy strategy = ReconnectStrategy.builder().scheduler(vts).build();
    for (Throwable terminal : List.of(closed(CloseStatus.SUPERSEDED), closed(CloseStatus.POLICY_VIOLATION),
        ConnectionClosedException.of(CloseStatus.ABNORMAL, true, Duration.ZERO))) {
      AtomicInteger subscriptions = new AtomicInteger();
      StepVerifier.create(Mono.defer(() -> {
            subscriptions.incrementAndGet();
            return Mono.error(terminal);
          }).retryWhen(strategy.toRetry()))
          .expectErrorSatisfies(error -> assertSame(terminal, error))
          .verify(Duration.ofSeconds(5));
      assertEquals(1, subscriptions.get(), terminal.toString());
    }
  }

  @Test
  void retryWaitsTheRetryLaterDelayAfter1013() {
    ReconnectStrategy strategy = ReconnectStrategy.builder()
        .scheduler(vts).jitter(0).retryLaterDelay(Duration.ofSeconds(20)).build();
    List<Long> subscribedAt = new ArrayList<>();
    StepVerifier.withVirtualTime(() -> Mono.defer(() -> {
              subscribedAt.add(vts.now(TimeUnit.MILLISECONDS));
              return subscribedAt.size() == 1 ? Mono.error(closed(CloseStatus.TRY_AGAIN_LATER)) : Mono.just("up");
            }).retryWhen(strategy.toRetry()), () -> vts, Long.MAX_VALUE)
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(19_999))
        .thenAwait(Duration.ofMillis(1))
        .expectNext("up")
        .verifyComplete();
    assertEquals(List.of(0L, 20_000L), subscribedAt);
  }

  @Test
  void eachSubscriptionKeepsItsOwnAttemptCount() {
    ReconnectStrategy strategy = ReconnectStrategy.builder().scheduler(vts).jitter(0).maxAttempts(1).build();
    reactor.util.retry.Retry retry = strategy.toRetry();
    for (int run = 0; run < 2; run++) {
      AtomicInteger subscriptions = new AtomicInteger();
      // The same Retry on the same clock, advanced by hand: withVirtualTime would dispose it.
      StepVerifier.create(Mono.defer(() -> subscriptions.incrementAndGet() == 1
                  ? Mono.error(new IOException("reset")) : Mono.just("up"))
              .retryWhen(retry))
          .expectSubscription()
          .then(() -> vts.advanceTimeBy(S1))
          .expectNext("up")
          .verifyComplete();
      assertEquals(2, subscriptions.get());
    }
  }

  // ------------------------------------------------------------------ terminal and shouldReconnect

  @Test
  void defaultTerminalClosesAndApplicationCloseAreNotReconnected() {
    ReconnectStrategy strategy = ReconnectStrategy.builder().build();
    assertFalse(strategy.shouldReconnect(closed(CloseStatus.SUPERSEDED)));
    assertFalse(strategy.shouldReconnect(closed(CloseStatus.POLICY_VIOLATION)));
    assertFalse(strategy.shouldReconnect(ConnectionClosedException.of(CloseStatus.NORMAL, true, Duration.ZERO)));
    assertFalse(strategy.shouldReconnect(ConnectionClosedException.of(CloseStatus.ABNORMAL, true, Duration.ZERO)));
    assertTrue(strategy.isTerminal(CloseStatus.SUPERSEDED));
    assertFalse(strategy.isTerminal(CloseStatus.ABNORMAL));
  }

  @ParameterizedTest
  @ValueSource(ints = {1000, 1001, 1006, 1011, 1012, 1013, 4408})
  void abnormalAndRestartClosesAreReconnected(int code) {
    ReconnectStrategy strategy = ReconnectStrategy.builder().build();
    assertTrue(strategy.shouldReconnect(closed(CloseStatus.received(code, ""))));
  }

  @Test
  void connectFailuresAndOtherErrorsAreReconnected() {
    ReconnectStrategy strategy = ReconnectStrategy.builder().build();
    HeartbeatPolicy policy = HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames()).build();
    assertTrue(strategy.shouldReconnect(ConnectTimeoutException.after(Duration.ofSeconds(10))));
    assertTrue(strategy.shouldReconnect(new ConnectException("refused")));
    assertTrue(strategy.shouldReconnect(new IOException("reset by peer")));
    assertTrue(strategy.shouldReconnect(HeartbeatTimeoutException.after(policy, 0, 90_000_000_000L)));
    assertTrue(strategy.shouldReconnect(new IllegalStateException("read failed")));
    assertFalse(strategy.shouldReconnect(ReconnectExhaustedException.after(3, new ConnectException("refused"))));
    assertFalse(strategy.shouldReconnect(new OutOfMemoryError("test")));
  }

  @Test
  void customTerminalPredicateSeesCodeAndReasonAndReplacesTheDefault() {
    ReconnectStrategy strategy = ReconnectStrategy.builder()
        .terminalWhen((code, reason) -> code == 4001 && reason.equals("token expired"))
        .build();
    assertFalse(strategy.shouldReconnect(closed(CloseStatus.of(4001, "token expired"))));
    assertTrue(strategy.shouldReconnect(closed(CloseStatus.of(4001, "server busy"))));
    assertTrue(strategy.shouldReconnect(closed(CloseStatus.SUPERSEDED)), "the default set was replaced");
    assertFalse(strategy.shouldReconnect(ConnectionClosedException.of(CloseStatus.of(4001, "other"), true, Duration.ZERO)),
        "an application close is never reconnected, whatever the predicate");

    ReconnectStrategy extended = ReconnectStrategy.builder()
        .terminalWhen(ReconnectStrategy.DEFAULT_TERMINAL.or((code, reason) -> code == 4001))
        .build();
    assertFalse(extended.shouldReconnect(closed(CloseStatus.of(4001, ""))));
    assertFalse(extended.shouldReconnect(closed(CloseStatus.SUPERSEDED)));
  }

  // ------------------------------------------------------------------ builder

  @Test
  void defaultsAreTheDocumentedOnes() {
    ReconnectStrategy strategy = ReconnectStrategy.builder().build();
    assertEquals(S1, strategy.minDelay());
    assertEquals(Duration.ofSeconds(30), strategy.maxDelay());
    assertEquals(1.3, strategy.multiplier());
    assertEquals(0.5, strategy.jitter());
    assertEquals(OptionalInt.empty(), strategy.maxAttempts());
    assertEquals(Duration.ofSeconds(10), strategy.connectTimeout());
    assertEquals(Duration.ofSeconds(30), strategy.resetAfter());
    assertEquals(Duration.ofSeconds(30), strategy.retryLaterDelay());
    assertTrue(strategy.isTerminal(CloseStatus.POLICY_VIOLATION));
    assertTrue(strategy.isTerminal(CloseStatus.SUPERSEDED));
    assertTrue(strategy.scheduler().now(TimeUnit.NANOSECONDS) > 0);
    assertEquals(Duration.ofSeconds(20), ReconnectStrategy.builder().maxDelay(Duration.ofSeconds(20)).build().retryLaterDelay());
  }

  @Test
  void everySetterReturnsANewBuilderAndLeavesTheOriginalUnchanged() {
    ReconnectStrategy.Builder base = ReconnectStrategy.builder();
    List<Function<ReconnectStrategy.Builder, ReconnectStrategy.Builder>> setters = List.of(
        b -> b.minDelay(Duration.ofSeconds(2)),
        b -> b.maxDelay(Duration.ofSeconds(5)),
        b -> b.multiplier(3),
        b -> b.jitter(0.1),
        b -> b.maxAttempts(4),
        ReconnectStrategy.Builder::forever,
        b -> b.connectTimeout(Duration.ofSeconds(3)),
        b -> b.resetAfter(Duration.ofSeconds(9)),
        b -> b.terminalWhen((code, reason) -> false),
        b -> b.retryLaterDelay(Duration.ofSeconds(7)),
        b -> b.random(() -> 0.0),
        b -> b.scheduler(vts));
    for (Function<ReconnectStrategy.Builder, ReconnectStrategy.Builder> setter : setters) {
      assertNotSame(base, setter.apply(base));
    }
    ReconnectStrategy.Builder changed = base.minDelay(Duration.ofSeconds(2)).maxAttempts(4).jitter(0.1);
    assertEquals(S1, base.build().minDelay());
    assertEquals(OptionalInt.empty(), base.build().maxAttempts());
    assertEquals(Duration.ofSeconds(2), changed.build().minDelay());
    assertEquals(OptionalInt.of(4), changed.build().maxAttempts());
    assertEquals(0.1, changed.build().jitter());
    ReconnectStrategy built = changed.build();
    assertEquals(built.toString(), built.toBuilder().build().toString());
  }

  @Test
  void settersRejectBadValuesNamingTheField() {
    ReconnectStrategy.Builder b = ReconnectStrategy.builder();
    assertRejects("minDelay", () -> b.minDelay(Duration.ZERO));
    assertRejects("minDelay", () -> b.minDelay(Duration.ofSeconds(-1)));
    assertRejects("maxDelay", () -> b.maxDelay(Duration.ZERO));
    assertRejects("maxDelay", () -> b.maxDelay(Duration.ofSeconds(-5)));
    assertRejects("jitter", () -> b.jitter(1.5));
    assertRejects("jitter", () -> b.jitter(-0.1));
    assertRejects("jitter", () -> b.jitter(Double.NaN));
    assertRejects("multiplier", () -> b.multiplier(0.5));
    assertRejects("multiplier", () -> b.multiplier(Double.NaN));
    assertRejects("multiplier", () -> b.multiplier(Double.POSITIVE_INFINITY));
    assertRejects("maxAttempts", () -> b.maxAttempts(0));
    assertRejects("maxAttempts", () -> b.maxAttempts(-1));
    assertRejects("connectTimeout", () -> b.connectTimeout(Duration.ZERO));
    assertRejects("resetAfter", () -> b.resetAfter(Duration.ofMillis(-1)));
    assertRejects("retryLaterDelay", () -> b.retryLaterDelay(Duration.ZERO));
    assertRejects("maxDelay", () -> b.maxDelay(Duration.ofDays(365L * 1000)));
    assertEquals("minDelay", assertThrows(NullPointerException.class, () -> b.minDelay(null)).getMessage());
    assertEquals("terminalWhen", assertThrows(NullPointerException.class, () -> b.terminalWhen(null)).getMessage());
    assertEquals("random", assertThrows(NullPointerException.class, () -> b.random(null)).getMessage());
    assertEquals("scheduler", assertThrows(NullPointerException.class, () -> b.scheduler(null)).getMessage());
  }

  @Test
  void buildRejectsMinDelayAboveMaxDelayNamingBoth() {
    ReconnectStrategy.Builder b = ReconnectStrategy.builder()
        .minDelay(Duration.ofSeconds(10)).maxDelay(Duration.ofSeconds(5));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
    assertTrue(e.getMessage().startsWith("minDelay"), e.getMessage());
    assertTrue(e.getMessage().contains("maxDelay"), e.getMessage());
    // equal is fine: a constant delay
    assertEquals(Duration.ofSeconds(5), b.minDelay(Duration.ofSeconds(5)).jitter(0).build().delayFor(3));
  }

  private static void assertRejects(String field, Supplier<?> call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::get);
    assertTrue(e.getMessage().startsWith(field + ":"), "expected the message to name " + field + ": " + e.getMessage());
  }
}
