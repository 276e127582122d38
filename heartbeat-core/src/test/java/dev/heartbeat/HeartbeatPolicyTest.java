package dev.heartbeat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.transport.Role;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class HeartbeatPolicyTest {

  private static final HeartbeatPolicy.Builder BASE = HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames());

  private static void rejects(String field, Supplier<?> build) {
    Exception e = assertThrows(RuntimeException.class, build::get);
    assertTrue(e.getMessage().startsWith(field + ":") || e.getMessage().equals(field),
        "the message names '" + field + "': " + e.getMessage());
  }

  @Test
  void defaultsAreDocumented() {
    HeartbeatPolicy policy = BASE.build();
    assertEquals(Duration.ofSeconds(30), policy.interval());
    assertEquals(1, policy.toleratedMisses());
    assertEquals(Duration.ofSeconds(90), policy.timeout(), "interval x (toleratedMisses + 2)");
    assertEquals(Set.of(Role.CLIENT, Role.SERVER), policy.senders());
    assertEquals(HeartbeatPolicy.Mode.FIXED, policy.mode());
    assertEquals(HeartbeatPolicy.Liveness.ANY_FRAME, policy.liveness());
    assertEquals(Duration.ofMillis(25), policy.resolution());
    assertEquals(Duration.ofSeconds(1), policy.lateSweepGrace());
    assertEquals(10, policy.maxAnswersPerInterval());
  }

  @Test
  void resolutionAndGraceFollowShortIntervals() {
    HeartbeatPolicy policy = BASE.interval(Duration.ofMillis(200)).build();
    assertEquals(Duration.ofMillis(5), policy.resolution());
    assertEquals(Duration.ofMillis(200), policy.lateSweepGrace());
  }

  @Test
  void everySetterReturnsANewBuilder() {
    HeartbeatPolicy.Builder b = HeartbeatPolicy.builder();
    assertNotSame(b, b.codec(HeartbeatCodec.json()));
    assertNotSame(b, b.interval(Duration.ofSeconds(1)));
    assertNotSame(b, b.timeout(Duration.ofSeconds(5)));
    assertNotSame(b, b.toleratedMisses(2));
    assertNotSame(b, b.mode(HeartbeatPolicy.Mode.IDLE));
    assertNotSame(b, b.liveness(HeartbeatPolicy.Liveness.ANSWERS_ONLY));
    assertNotSame(b, b.sentBy(Role.SERVER));
    assertNotSame(b, b.resolution(Duration.ofMillis(10)));
    assertNotSame(b, b.lateSweepGrace(Duration.ZERO));
    assertNotSame(b, b.maxAnswersPerInterval(3));
    assertNotSame(b, b.outboundResetsIdle(true));
    // A builder is a template: deriving from it leaves it as it was.
    HeartbeatPolicy.Builder template = BASE.interval(Duration.ofSeconds(10));
    template.interval(Duration.ofSeconds(1));
    assertEquals(Duration.ofSeconds(10), template.build().interval());
  }

  @Test
  void badValuesFailAtOnceNamingTheField() {
    rejects("interval", () -> BASE.interval(Duration.ZERO));
    rejects("interval", () -> BASE.interval(Duration.ofSeconds(-1)));
    rejects("interval", () -> BASE.interval(null));
    rejects("timeout", () -> BASE.timeout(Duration.ZERO));
    rejects("toleratedMisses", () -> BASE.toleratedMisses(-1));
    rejects("resolution", () -> BASE.resolution(Duration.ofMillis(-5)));
    rejects("lateSweepGrace", () -> BASE.lateSweepGrace(Duration.ofMillis(-5)));
    rejects("maxAnswersPerInterval", () -> BASE.maxAnswersPerInterval(0));
    rejects("codec", () -> BASE.codec(null));
    rejects("mode", () -> BASE.mode(null));
    rejects("liveness", () -> BASE.liveness(null));
    rejects("sentBy", () -> BASE.sentBy(null));
    rejects("intermediaryIdleTimeout", () -> BASE.behindIdleTimeout(Duration.ZERO));
  }

  @Test
  void contradictionsFailAtBuildNamingTheField() {
    rejects("codec", () -> HeartbeatPolicy.builder().build());
    rejects("timeout", () -> BASE.interval(Duration.ofSeconds(10)).timeout(Duration.ofSeconds(10)).build());
    rejects("timeout", () -> BASE.interval(Duration.ofSeconds(10)).timeout(Duration.ofSeconds(5)).build());
    rejects("timeout", () -> BASE.timeout(Duration.ofSeconds(100)).toleratedMisses(2).build());
    rejects("resolution", () -> BASE.interval(Duration.ofSeconds(1)).resolution(Duration.ofSeconds(2)).build());
    rejects("liveness", () -> BASE.mode(HeartbeatPolicy.Mode.IDLE).liveness(HeartbeatPolicy.Liveness.ANSWERS_ONLY).build());
  }

  @Test
  void timeoutIsIndependentOfIntervalOrDerivedFromMisses() {
    assertEquals(Duration.ofSeconds(25), BASE.interval(Duration.ofSeconds(10)).timeout(Duration.ofSeconds(25)).build().timeout());
    assertEquals(Duration.ofSeconds(20), BASE.interval(Duration.ofSeconds(10)).toleratedMisses(0).build().timeout());
    assertEquals(Duration.ofSeconds(50), BASE.interval(Duration.ofSeconds(10)).toleratedMisses(3).build().timeout());
    assertEquals(3, BASE.interval(Duration.ofSeconds(10)).timeout(Duration.ofSeconds(55)).build().toleratedMisses());
  }

  @Test
  void behindAProxyHeartbeatsFlowAtTwoThirdsOfItsIdleTimeout() {
    assertEquals(Duration.ofSeconds(60), BASE.behindIdleTimeout(Duration.ofSeconds(90)).build().interval());
    assertEquals(Duration.ofSeconds(40), BASE.behindIdleTimeout(Duration.ofSeconds(60)).build().interval());
  }

  @Test
  void toBuilderKeepsEveryValue() {
    HeartbeatPolicy policy = BASE.interval(Duration.ofSeconds(5)).timeout(Duration.ofSeconds(12))
        .mode(HeartbeatPolicy.Mode.IDLE).outboundResetsIdle(true).sentBy(Role.SERVER).maxAnswersPerInterval(4).build();
    HeartbeatPolicy copy = policy.toBuilder().build();
    assertEquals(policy.toString(), copy.toString());
    assertEquals(policy.timeout(), copy.timeout());
    assertEquals(policy.senders(), copy.senders());
    assertEquals(policy.outboundResetsIdle(), copy.outboundResetsIdle());
    assertEquals(policy.maxAnswersPerInterval(), copy.maxAnswersPerInterval());
    assertEquals(policy.resolution(), copy.resolution());
  }
}
