package dev.heartbeat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.local.LocalClientTransport;
import dev.heartbeat.local.LocalServerTransport;
import dev.heartbeat.reconnect.ConnectionEvent;
import dev.heartbeat.reconnect.ReconnectStrategy;
import dev.heartbeat.reconnect.ReconnectingSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The heartbeat operator as a reconnecting session's decorator, on a virtual clock: a peer that
 * goes silent without closing (half-open) is found by the heartbeat and replaced by a new
 * connection, and the application's one subscription carries on.
 */
class HeartbeatReconnectTest {

  private final ControlledScheduler clock = ControlledScheduler.create();
  private final HeartbeatPolicy policy = HeartbeatPolicy.builder().codec(HeartbeatCodec.json())
      .interval(Duration.ofSeconds(5)).timeout(Duration.ofSeconds(12)).build();
  private final ReconnectStrategy strategy = ReconnectStrategy.builder()
      .minDelay(Duration.ofSeconds(1)).maxDelay(Duration.ofSeconds(8)).multiplier(2).jitter(0.5)
      .random(new Random(7)::nextDouble).scheduler(clock).build();

  private long millis() {
    return clock.now(TimeUnit.MILLISECONDS);
  }

  @Test
  void aHalfOpenConnectionIsFoundByTheHeartbeatAndReplaced() {
    LocalServerTransport server = LocalServerTransport.create(clock);
    server.start(Heartbeat.handler(policy, session -> session.send(session.receive()))).block();
    ReconnectingSession session = ReconnectingSession.builder(LocalClientTransport.create(server, clock))
        .strategy(strategy)
        .decorator(Heartbeat.operator(policy))
        .build();
    List<String> events = new ArrayList<>();
    session.events().subscribe(e -> events.add(millis() + " " + e.getClass().getSimpleName()
        + (e instanceof ConnectionEvent.Disconnected d ? " " + d.status().code() : "")));
    List<WsFrame> inbound = new ArrayList<>();
    session.receive().subscribe(inbound::add);
    session.start();
    session.send(WsFrame.text("before")).block();
    clock.advance(Duration.ofSeconds(1));
    assertEquals(List.of(WsFrame.text("before")), inbound);

    // The network under the connection vanishes: nothing arrives, nobody is told. The last sign
    // of life was the echo at 0 ms (the server's first heartbeat would come at 5 s).
    server.connections().get(0).toClient().blackhole();
    long lastHeard = 0;
    clock.advance(Duration.ofMillis(lastHeard + policy.timeout().toMillis() - 1 - millis()));
    assertTrue(events.stream().noneMatch(e -> e.contains("Disconnected")), "alive until the timeout: " + events);
    clock.advance(Duration.ofMillis(1));
    assertTrue(events.contains((lastHeard + policy.timeout().toMillis()) + " Disconnected 4408"),
        "declared dead at the timeout exactly, reported as 4408: " + events);

    Duration delay = strategy.toBuilder().random(new Random(7)::nextDouble).build().delayFor(1);
    clock.advance(delay);
    assertEquals(2, server.acceptedCount(), "reconnected after the first backoff delay: " + events);
    session.send(WsFrame.text("after")).block();
    clock.advance(Duration.ofMillis(1));
    assertEquals(List.of(WsFrame.text("before"), WsFrame.text("after")), inbound, "one subscription, both connections");
    session.close();
    clock.advance(Duration.ofMillis(1));
    assertEquals(0, clock.pendingTasks(), "no heartbeat or reconnect timer survives the session");
  }

  @Test
  void aPeerSilentAfterEveryReconnectIsRetriedWithGrowingDelaysNeverInLockStep() {
    LocalServerTransport server = LocalServerTransport.create(clock);
    // A server that accepts, then never speaks and never answers: every connection dies by heartbeat.
    server.start(session -> session.receive().then()).block();
    ReconnectingSession session = ReconnectingSession.builder(LocalClientTransport.create(server, clock))
        .strategy(strategy.toBuilder().resetAfter(Duration.ofMinutes(5)).build())
        .decorator(Heartbeat.operator(policy))
        .build();
    List<Duration> delays = new ArrayList<>();
    session.events().ofType(ConnectionEvent.ReconnectScheduled.class).subscribe(e -> delays.add(e.delay()));
    session.receive().subscribe(f -> { }, e -> { });
    session.start();
    clock.advance(Duration.ofMinutes(2));
    assertTrue(delays.size() >= 4, "kept reconnecting: " + delays);
    for (int attempt = 1; attempt <= delays.size(); attempt++) {
      long base = Math.min(8_000, 1_000L << (attempt - 1));
      long d = delays.get(attempt - 1).toMillis();
      assertTrue(d >= base / 2 && d <= base, "attempt " + attempt + ": " + d + " ms within [" + base / 2 + ", " + base + "]");
    }
    assertFalse(session.isDisposed());
    session.close();
    clock.advance(Duration.ofMillis(1));
    assertEquals(0, clock.pendingTasks());
    assertInstanceOf(ReconnectingSession.class, session);
  }
}
