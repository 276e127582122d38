package dev.heartbeat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.codec.HeartbeatCodec;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class ServerMonitorTest {

  private final ConnectionRegistry registry = ConnectionRegistry.builder(
      HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames()).build()).build();

  @Test
  void snapshotsComeEveryPeriodByDefaultFiveSeconds() {
    VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    ServerMonitor monitor = ServerMonitor.builder(registry).scheduler(clock).build();
    assertEquals(Duration.ofSeconds(5), monitor.period());
    StepVerifier.withVirtualTime(() -> monitor.snapshots().map(s -> clock.now(java.util.concurrent.TimeUnit.MILLISECONDS)).take(3),
            () -> clock, Long.MAX_VALUE)
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(4_999))
        .thenAwait(Duration.ofMillis(1))
        .expectNext(5_000L)
        .thenAwait(Duration.ofSeconds(10))
        .expectNext(10_000L, 15_000L)
        .verifyComplete();
  }

  @Test
  void theAlarmIsRaisedWhenTheLoadPassesTheThresholdAndClearedWhenItFalls() {
    VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    double[] loads = {1.0, 5.0, 6.0, 3.0, 3.5, -1.0, 9.0};
    AtomicInteger reading = new AtomicInteger();
    ServerMonitor monitor = ServerMonitor.builder(registry).scheduler(clock).period(Duration.ofSeconds(5))
        .loadThreshold(4.0).loadSource(() -> loads[Math.min(reading.getAndIncrement(), loads.length - 1)]).build();
    StepVerifier.withVirtualTime(() -> monitor.alarms()
                .map(a -> clock.now(java.util.concurrent.TimeUnit.SECONDS) + "s " + (a.raised() ? "raised " : "cleared ") + a.loadAverage())
                .take(3),
            () -> clock, Long.MAX_VALUE)
        .expectSubscription()
        .thenAwait(Duration.ofSeconds(35))
        .expectNext("10s raised 5.0", "20s cleared 3.0", "35s raised 9.0")
        .verifyComplete();
  }

  @Test
  void theDefaultThresholdIsTwiceTheCpuCount() {
    assertEquals(2.0 * Runtime.getRuntime().availableProcessors(), ServerMonitor.builder(registry).build().threshold());
  }

  @Test
  void buildersReturnNewInstancesAndRejectBadValuesNamingTheField() {
    ServerMonitor.Builder b = ServerMonitor.builder(registry);
    assertNotSame(b, b.period(Duration.ofSeconds(1)));
    assertNotSame(b, b.loadThreshold(3));
    assertNotSame(b, b.loadSource(() -> 1));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> b.period(Duration.ZERO)).getMessage().startsWith("period:"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> b.loadThreshold(0)).getMessage().startsWith("loadThreshold:"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> b.loadThreshold(Double.NaN)).getMessage().startsWith("loadThreshold:"));
  }
}
