package dev.heartbeat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.local.LocalConnectionPair;
import dev.heartbeat.transport.Role;
import dev.heartbeat.transport.WebSocketConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The heartbeat operator's rules, each on a virtual clock with exact instants. The client side
 * runs the operator; the server side is a bare in-memory connection that the test drives and
 * watches, unless a test needs both sides under a policy.
 */
class HeartbeatOperatorTest {

  private static final Duration INTERVAL = Duration.ofSeconds(10);
  private static final Duration TIMEOUT = Duration.ofSeconds(35);
  private static final Duration SWEEP = Duration.ofMillis(50);

  private final ControlledScheduler clock = ControlledScheduler.create();

  /** The tests' policy; its 50 ms resolution is what their instants are worked out with. */
  private static HeartbeatPolicy.Builder policy() {
    return HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames()).interval(INTERVAL).timeout(TIMEOUT)
        .resolution(SWEEP);
  }

  /** A client under {@code policy} whose peer is silent from now on. */
  private HeartbeatConnection silentClient(HeartbeatPolicy policy) {
    LocalConnectionPair pair = LocalConnectionPair.create(clock);
    HeartbeatConnection client = Heartbeat.operator(policy).apply(pair.client());
    pair.toClient().blackhole();
    return client;
  }

  /** The loop stalls for {@code duration}: what comes due meanwhile runs late, at its end. */
  private void stallFor(Duration duration) {
    clock.stall();
    clock.advance(duration);
    clock.resume();
  }

  private long millis() {
    return clock.now(TimeUnit.MILLISECONDS);
  }

  /** Texts from {@code connection}, one every {@code period}, {@code count} of them. */
  private void chatter(WebSocketConnection connection, Duration period, int count) {
    connection.send(Flux.interval(period, clock.clock()).take(count).map(i -> WsFrame.text("msg " + i)))
        .subscribe(null, closed -> { });
  }

  /** When (virtual ms) each frame of the kind arrived at {@code connection}. */
  private Flux<Long> arrivals(WebSocketConnection connection, Class<? extends WsFrame> kind) {
    return connection.receive().filter(kind::isInstance).map(f -> millis());
  }

  @Test
  void fixedModeSendsEveryIntervalEvenOnABusyConnection() {
    StepVerifier.withVirtualTime(() -> {
          LocalConnectionPair pair = LocalConnectionPair.create(clock);
          Heartbeat.operator(policy().build()).apply(pair.client());
          chatter(pair.server(), Duration.ofSeconds(1), 30);
          return arrivals(pair.server(), WsFrame.Ping.class);
        }, clock::clock, Long.MAX_VALUE)
        .expectSubscription()
        .thenAwait(Duration.ofSeconds(30))
        .expectNext(10_000L, 20_000L, 30_000L)
        .thenCancel()
        .verify();
  }

  @Test
  void idleModeSendsNoHeartbeatOnABusyConnectionAndPingsOnceItIsQuiet() {
    StepVerifier.withVirtualTime(() -> {
          LocalConnectionPair pair = LocalConnectionPair.create(clock);
          Heartbeat.operator(policy().mode(HeartbeatPolicy.Mode.IDLE).build()).apply(pair.client());
          chatter(pair.server(), Duration.ofSeconds(1), 25); // inbound every second until 25 s
          return arrivals(pair.server(), WsFrame.Ping.class);
        }, clock::clock, Long.MAX_VALUE)
        .expectSubscription()
        .expectNoEvent(Duration.ofSeconds(34))
        .thenAwait(Duration.ofSeconds(1))
        .expectNext(35_000L) // 25 s last inbound + 10 s interval
        .thenAwait(Duration.ofSeconds(10))
        .expectNext(45_000L)
        .thenCancel()
        .verify();
  }

  @Test
  void idleModeCountsOutboundTrafficOnlyWhenAsked() {
    for (boolean outboundResets : new boolean[] {false, true}) {
      ControlledScheduler clock = ControlledScheduler.create();
      LocalConnectionPair pair = LocalConnectionPair.create(clock);
      HeartbeatConnection client = Heartbeat.operator(
              policy().mode(HeartbeatPolicy.Mode.IDLE).outboundResetsIdle(outboundResets).timeout(Duration.ofSeconds(60)).build())
          .apply(pair.client());
      client.send(Flux.interval(Duration.ofSeconds(1), clock.clock()).take(20).map(i -> WsFrame.text("out " + i))).subscribe();
      List<Long> pings = new ArrayList<>();
      pair.server().receive().filter(WsFrame.Ping.class::isInstance).subscribe(f -> pings.add(clock.now(TimeUnit.MILLISECONDS)));
      clock.advance(Duration.ofSeconds(40));
      assertEquals(outboundResets ? List.of(30_000L, 40_000L) : List.of(10_000L, 20_000L, 30_000L, 40_000L), pings,
          "outboundResetsIdle=" + outboundResets);
    }
  }

  static Stream<Arguments> answeringCodecs() {
    return Stream.of(
        Arguments.of(HeartbeatCodec.pingFrames(), WsFrame.ping(new byte[] {7}), WsFrame.pong(new byte[] {7})),
        Arguments.of(HeartbeatCodec.textPingPong(), WsFrame.text("ping"), WsFrame.text("pong")),
        Arguments.of(HeartbeatCodec.json(), WsFrame.text("{\"type\":\"heartbeat\",\"ts\":5}"),
            WsFrame.text("{\"type\":\"heartbeat_ack\"}")),
        Arguments.of(HeartbeatCodec.of("bin", WsFrame.binary(new byte[] {1}), WsFrame.binary(new byte[] {2})),
            WsFrame.binary(new byte[] {1}), WsFrame.binary(new byte[] {2})));
  }

  @ParameterizedTest
  @MethodSource("answeringCodecs")
  void answersThePeersHeartbeatAtOnce(HeartbeatCodec codec, WsFrame heartbeat, WsFrame expectedAnswer) {
    StepVerifier.withVirtualTime(() -> {
          LocalConnectionPair pair = LocalConnectionPair.create(clock);
          Heartbeat.operator(policy().codec(codec).sentBy(Role.SERVER).build()).apply(pair.client());
          pair.server().send(Mono.delay(Duration.ofSeconds(1), clock.clock()).thenReturn(heartbeat)).subscribe();
          return pair.server().receive().map(f -> millis() + " " + f);
        }, clock::clock, Long.MAX_VALUE)
        .expectSubscription()
        .thenAwait(Duration.ofSeconds(1))
        .expectNext("1000 " + expectedAnswer)
        .expectNoEvent(Duration.ofSeconds(30)) // one answer, nothing else (the client itself does not send)
        .thenCancel()
        .verify();
  }

  @Test
  void heartbeatTextHasNoAnswerButProvesLife() {
    LocalConnectionPair pair = LocalConnectionPair.create(clock);
    HeartbeatConnection client = Heartbeat.operator(
        policy().codec(HeartbeatCodec.heartbeatText()).sentBy(Role.SERVER).build()).apply(pair.client());
    List<WsFrame> atServer = new ArrayList<>();
    pair.server().receive().subscribe(atServer::add);
    // The peer sends its bare HeartBeat every 10 s, and nothing else, for 100 s.
    pair.server().send(Flux.interval(INTERVAL, clock.clock()).take(10).map(i -> WsFrame.text("HeartBeat"))).subscribe();
    clock.advance(Duration.ofSeconds(100));
    assertEquals(List.of(), atServer, "nothing answers a HeartBeat");
    assertTrue(client.isOpen(), "its heartbeats kept the peer alive");
    assertEquals(PeerState.HEALTHY, client.state());
  }

  @Test
  void heartbeatFramesNeverReachTheApplication() {
    StepVerifier.withVirtualTime(() -> {
          LocalConnectionPair pair = LocalConnectionPair.create(clock);
          HeartbeatConnection client = Heartbeat.operator(policy().codec(HeartbeatCodec.textPingPong()).build())
              .apply(pair.client());
          pair.server().send(Flux.just(WsFrame.text("a"), WsFrame.ping(), WsFrame.text("ping"), WsFrame.text("pong"),
              WsFrame.pong(new byte[0]), WsFrame.binary(new byte[] {9}), WsFrame.text("b"))).subscribe();
          return client.receive();
        }, clock::clock, Long.MAX_VALUE)
        .expectNext(WsFrame.text("a"), WsFrame.binary(new byte[] {9}), WsFrame.text("b"))
        .thenCancel()
        .verify();
  }

  @Test
  void reportsTheRoundTripTimeOfEachHeartbeat() {
    AtomicReference<HeartbeatConnection> client = new AtomicReference<>();
    StepVerifier.withVirtualTime(() -> {
          LocalConnectionPair pair = LocalConnectionPair.create(clock);
          pair.toServer().delay(Duration.ofMillis(30));
          pair.toClient().delay(Duration.ofMillis(50));
          Heartbeat.operator(policy().sentBy(Role.CLIENT).build()).apply(pair.server()); // answers pings
          client.set(Heartbeat.operator(policy().sentBy(Role.CLIENT).build()).apply(pair.client()));
          return client.get().events().map(e -> millis() + " " + e);
        }, clock::clock, Long.MAX_VALUE)
        .expectSubscription()
        .thenAwait(Duration.ofMillis(10_080))
        .expectNext("10000 Sent[atNanos=10000000000]")
        .expectNext("10080 Answered[rtt=PT0.08S]")
        .thenCancel()
        .verify();
    assertEquals(Duration.ofMillis(80), client.get().lastRtt());
  }

  @Test
  void aSilentPeerIsSuspectAtEachMissAndDeadAtTheTimeoutExactly() {
    LocalConnectionPair pair = LocalConnectionPair.create(clock);
    AtomicReference<HeartbeatConnection> client = new AtomicReference<>();
    StepVerifier.withVirtualTime(() -> {
          pair.toClient().blackhole(); // half-open: nothing comes back, nothing says closed
          client.set(Heartbeat.operator(policy().build()).apply(pair.client()));
          return client.get().events()
              .filter(e -> !(e instanceof HeartbeatEvent.Sent))
              .map(e -> millis() + " " + (e instanceof HeartbeatEvent.Dead ? "Dead" : e));
        }, clock::clock, Long.MAX_VALUE)
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(19_999))
        .thenAwait(Duration.ofMillis(1))
        .expectNext("20000 Suspect[missed=1, silence=PT20S]")
        .thenAwait(Duration.ofSeconds(10))
        .expectNext("30000 Suspect[missed=2, silence=PT30S]")
        .expectNoEvent(Duration.ofMillis(4_999))
        .thenAwait(Duration.ofMillis(1))
        .expectNext("35000 Dead")
        .verifyComplete();

    assertEquals(PeerState.DEAD, client.get().state());
    StepVerifier.create(client.get().receive())
        .expectErrorSatisfies(error -> {
          HeartbeatTimeoutException timeout = assertInstanceOf(HeartbeatTimeoutException.class, error);
          assertEquals(TIMEOUT, timeout.silence());
          assertEquals(0L, timeout.lastSeenNanos());
          assertEquals(TIMEOUT, timeout.policy().timeout());
        })
        .verify(Duration.ofSeconds(1));
    assertEquals(4408, client.get().onClose().block(Duration.ofSeconds(1)).code());
    assertEquals(4408, pair.server().onClose().block(Duration.ofSeconds(1)).code(), "the peer reads 4408, not 1005");
  }

  @Test
  void aSuspectPeerThatSpeaksAgainRecovers() {
    LocalConnectionPair pair = LocalConnectionPair.create(clock);
    Heartbeat.operator(policy().sentBy(Role.CLIENT).build()).apply(pair.server()); // answers pings
    HeartbeatConnection client = Heartbeat.operator(policy().build()).apply(pair.client());
    List<String> events = new ArrayList<>();
    client.events().filter(e -> !(e instanceof HeartbeatEvent.Sent)).subscribe(e -> events.add(millis() + " " + e));
    pair.toClient().freeze();
    clock.advance(Duration.ofSeconds(25));
    assertEquals(PeerState.SUSPECT, client.state());
    pair.toClient().resume(); // the held pongs arrive at 25 s
    clock.advance(Duration.ofMillis(100));
        assertEquals(List.of("20000 Suspect[missed=1, silence=PT20S]",
        "25000 Answered[rtt=PT5S]", // the answer to the 20 s ping, held until 25 s
        "25050 Recovered[]"), events); // at the next sweep: one resolution (50 ms) later
    assertEquals(PeerState.HEALTHY, client.state());
  }

  @Test
  void anyInboundFrameProvesLifeUnlessOnlyAnswersCount() {
    for (HeartbeatPolicy.Liveness liveness : HeartbeatPolicy.Liveness.values()) {
      ControlledScheduler clock = ControlledScheduler.create();
      LocalConnectionPair pair = LocalConnectionPair.create(clock);
      HeartbeatConnection client = Heartbeat.operator(policy().liveness(liveness).build()).apply(pair.client());
      // The bare server never answers pings, but streams a message every 5 s.
      pair.server().send(Flux.interval(Duration.ofSeconds(5), clock.clock()).take(40).map(i -> WsFrame.text("tick"))).subscribe(null, closed -> { }); // ends when the client closes
      client.receive().subscribe(f -> { }, e -> { });
      clock.advance(Duration.ofSeconds(100));
      if (liveness == HeartbeatPolicy.Liveness.ANY_FRAME) {
        assertTrue(client.isOpen(), "messages keep the peer alive");
      } else {
        assertFalse(client.isOpen(), "only answers count");
        assertEquals(4408, client.onClose().block(Duration.ofSeconds(1)).code());
      }
    }
  }

  @Test
  void toleratedMissesSetTheInstantOfDeath() {
    for (int misses : new int[] {0, 3}) {
      ControlledScheduler clock = ControlledScheduler.create();
      LocalConnectionPair pair = LocalConnectionPair.create(clock);
      pair.toClient().blackhole();
      HeartbeatConnection client = Heartbeat.operator(HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames())
          .interval(INTERVAL).toleratedMisses(misses).build()).apply(pair.client());
      long deadline = INTERVAL.toMillis() * (misses + 2);
      clock.advance(Duration.ofMillis(deadline - 1));
      assertTrue(client.isOpen(), misses + " misses tolerated: alive at " + (deadline - 1));
      clock.advance(Duration.ofMillis(1));
      assertFalse(client.isOpen(), misses + " misses tolerated: dead at " + deadline);
    }
  }

  @Test
  void onlyTheConfiguredSendersSendAndTheOtherSideStillWatches() {
    LocalConnectionPair pair = LocalConnectionPair.create(clock);
    HeartbeatPolicy serverPings = policy().sentBy(Role.SERVER).build();
    HeartbeatConnection client = Heartbeat.operator(serverPings).apply(pair.client());
    HeartbeatConnection server = Heartbeat.operator(serverPings).apply(pair.server());
    List<HeartbeatEvent> clientEvents = new ArrayList<>();
    List<HeartbeatEvent> serverEvents = new ArrayList<>();
    client.events().subscribe(clientEvents::add);
    server.events().subscribe(serverEvents::add);
    clock.advance(Duration.ofSeconds(60));
    assertEquals(0, clientEvents.stream().filter(HeartbeatEvent.Sent.class::isInstance).count(), "client never sends");
    assertEquals(6, clientEvents.stream().filter(HeartbeatEvent.PeerHeartbeat.class::isInstance).count(), "client answers");
    assertEquals(6, serverEvents.stream().filter(HeartbeatEvent.Answered.class::isInstance).count());
    // The client still finds a server that went silent: the server's pings stop.
    pair.toClient().blackhole();
    clock.advance(TIMEOUT);
    assertFalse(client.isOpen());
    assertEquals(4408, client.onClose().block(Duration.ofSeconds(1)).code());
  }

  @Test
  void aPingFloodIsAnsweredAtABoundedRate() {
    LocalConnectionPair pair = LocalConnectionPair.create(clock);
    HeartbeatConnection client = Heartbeat.operator(policy().sentBy(Role.SERVER).maxAnswersPerInterval(10).build())
        .apply(pair.client());
    List<Long> pongs = new ArrayList<>();
    pair.server().receive().filter(WsFrame.Pong.class::isInstance).subscribe(f -> pongs.add(millis()));
    pair.server().send(Flux.range(0, 100).map(i -> WsFrame.ping())).subscribe();
    clock.advance(Duration.ofSeconds(5));
    assertEquals(10, pongs.size(), "100 pings, 10 answers in the interval");
    pair.server().send(Flux.range(0, 100).map(i -> WsFrame.ping())).subscribe();
    clock.advance(Duration.ofSeconds(1));
    assertEquals(10, pongs.size(), "still the same interval");
    clock.advance(Duration.ofSeconds(5));
    pair.server().send(Flux.range(0, 100).map(i -> WsFrame.ping())).subscribe();
    clock.advance(Duration.ofMillis(1));
    assertEquals(20, pongs.size(), "a new interval, 10 more");
    assertTrue(client.isOpen(), "a flood is not answered, but the pinger is alive");
  }

  @Test
  void aStallOfTheLoopIsNotThePeersSilenceAndALateSweepKillsNobodyWhoAnswersAfterIt() {
    // The client's event loop stalls for 5 s; the servers run on their own (unstalled) loop.
    ControlledScheduler serverLoop = new ControlledScheduler(clock.clock());
    HeartbeatPolicy fast = HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames())
        .interval(Duration.ofSeconds(1)).timeout(Duration.ofSeconds(3)).resolution(SWEEP).build();
    LocalConnectionPair answering = LocalConnectionPair.create(java.net.URI.create("local:/a"), clock, serverLoop);
    LocalConnectionPair silent = LocalConnectionPair.create(java.net.URI.create("local:/s"), clock, serverLoop);
    // The servers tolerate the stalled clients (their own judgement is not under test here).
    HeartbeatPolicy patientServer = fast.toBuilder().timeout(Duration.ofSeconds(60)).build();
    Heartbeat.operator(patientServer).apply(answering.server());
    Heartbeat.operator(patientServer).apply(silent.server());
    HeartbeatConnection alive = Heartbeat.operator(fast).apply(answering.client());
    HeartbeatConnection dead = Heartbeat.operator(fast).apply(silent.client());
    clock.advance(Duration.ofMillis(1_500));
    assertEquals(PeerState.HEALTHY, alive.state());
    silent.toClient().blackhole();

    clock.stall();
    clock.advance(Duration.ofSeconds(5)); // the answers wait unread; the sweep cannot run
    assertTrue(alive.isOpen());
    clock.resume(); // at 6.5 s: the late sweep runs first, then the held frames are read

    assertTrue(alive.isOpen(), "the late sweep judged nobody");
    assertTrue(dead.isOpen(), "not even the silent one");
    // The silent peer was last heard at 1.0 s; the loop stalled from 1.55 s (its next run) to
    // 6.5 s. Not counting the stall, it has been silent 0.55 s at 6.5 s, and reaches the 3 s
    // timeout at 8.95 s: not at 7.5 s, the end of the grace period after the stall.
    clock.advance(Duration.ofMillis(1_000));
    assertTrue(alive.isOpen(), "its answers were read after the late run");
    assertEquals(PeerState.HEALTHY, alive.state());
    assertTrue(dead.isOpen(), "the 5 s stall is not counted as its silence");
    clock.advance(Duration.ofMillis(1_449));
    assertTrue(dead.isOpen(), "at 8.949 s: 2.999 s of silence while the loop ran");
    clock.advance(Duration.ofMillis(1));
    assertTrue(alive.isOpen());
    assertFalse(dead.isOpen(), "the silent peer dies after 3 s of silence while the loop ran");
    CloseStatus closed = dead.onClose().block(Duration.ofSeconds(1));
    assertEquals(4408, closed.code());
    assertEquals("no frame for 7950 ms", closed.reason(), "the close tells the whole silence, stall included");
  }

  @ParameterizedTest
  @ValueSource(longs = {1_000, 0}) // lateSweepGrace in ms: the default for a 1 s interval, and none
  void aPeerCloseToItsVerdictWhenTheLoopStalledIsJudgedNoSoonerThanTheGracePeriodAfterIt(long graceMillis) {
    HeartbeatPolicy fast = HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames())
        .interval(Duration.ofSeconds(1)).timeout(Duration.ofSeconds(3)).resolution(SWEEP)
        .lateSweepGrace(Duration.ofMillis(graceMillis)).build();
    HeartbeatConnection client = silentClient(fast);
    clock.advance(Duration.ofMillis(2_500));
    stallFor(Duration.ofSeconds(1)); // the run due at 2.55 s runs at 3.5 s: a 0.95 s stall, not counted as silence
    // 3 s of silence while the loop ran at 3.95 s; the grace after the stall ends at 4.5 s.
    long verdictAt = Math.max(3_950, 3_500 + graceMillis);
    clock.advance(Duration.ofMillis(verdictAt - 3_500 - 1));
    assertTrue(client.isOpen(), "1 ms before " + verdictAt + " ms");
    clock.advance(Duration.ofMillis(1));
    assertFalse(client.isOpen(), "at " + verdictAt + " ms");
    assertEquals(4408, client.onClose().block(Duration.ofSeconds(1)).code());
  }

  @Test
  void aFineResolutionDoesNotReadOrdinaryJitterAsAStall() {
    // Resolution 10 ms: a 60 ms hiccup of the loop is six periods late, yet ordinary jitter on a
    // busy machine, not a stall; it must not hold the verdict back by the grace period (200 ms).
    HeartbeatPolicy fine = HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames())
        .interval(Duration.ofMillis(200)).timeout(Duration.ofMillis(600)).resolution(Duration.ofMillis(10)).build();
    assertEquals(Duration.ofMillis(200), fine.lateSweepGrace());
    HeartbeatConnection client = silentClient(fine);
    clock.advance(Duration.ofMillis(500));
    stallFor(Duration.ofMillis(60)); // resumes at 560 ms
    clock.advance(Duration.ofMillis(50)); // 610 ms: timeout plus one resolution
    assertFalse(client.isOpen(), "dead at the timeout plus one resolution, no grace");
    assertEquals(4408, client.onClose().block(Duration.ofSeconds(1)).code());
  }

  @Test
  void oneSweepServesManyConnections() {
    int connections = 200;
    List<List<WsFrame>> received = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      LocalConnectionPair pair = LocalConnectionPair.create(clock);
      Heartbeat.operator(policy().build()).apply(pair.client());
      List<WsFrame> frames = new ArrayList<>();
      pair.server().receive().subscribe(frames::add);
      received.add(frames);
    }
    clock.advance(Duration.ofSeconds(10));
    // One timer per 50 ms tick for all 200 connections: armed once at start, re-armed by each of the 200 runs.
    assertEquals(201, clock.timersArmed());
    received.forEach(frames -> assertEquals(List.of(WsFrame.ping()), frames));
  }

  @Test
  void everyTimerStopsWhenTheConnectionEndsWhicheverWayItEnds() {
    record Ending(String name, java.util.function.BiConsumer<LocalConnectionPair, HeartbeatConnection> end) {}
    List<Ending> endings = List.of(
        new Ending("application close", (pair, client) -> client.close(CloseStatus.NORMAL).subscribe()),
        new Ending("peer close", (pair, client) -> pair.server().close(CloseStatus.GOING_AWAY).subscribe()),
        new Ending("abrupt drop", (pair, client) -> pair.drop()),
        new Ending("application cancel", (pair, client) -> client.receive().subscribe().dispose()),
        new Ending("heartbeat timeout", (pair, client) -> {
          pair.toClient().blackhole();
          clock.advance(TIMEOUT);
        }));
    for (Ending ending : endings) {
      LocalConnectionPair pair = LocalConnectionPair.create(clock);
      HeartbeatConnection client = Heartbeat.operator(policy().build()).apply(pair.client());
      pair.server().receive().subscribe();
      clock.advance(Duration.ofSeconds(12));
      assertTrue(clock.pendingTasks() > 0, ending.name + ": the sweep runs while open");
      ending.end.accept(pair, client);
      clock.advance(Duration.ofMillis(1));
      assertFalse(client.isOpen(), ending.name);
      assertEquals(0, clock.pendingTasks(), ending.name + ": no task left on the scheduler");
      long armed = clock.timersArmed();
      clock.advance(Duration.ofMinutes(10));
      assertEquals(armed, clock.timersArmed(), ending.name + ": nothing re-armed after close");
    }
  }

  @Test
  void eventsEndWithTheConnectionWhetherAskedForBeforeItEndsOrAfter() {
    LocalConnectionPair before = LocalConnectionPair.create(clock);
    HeartbeatConnection early = Heartbeat.operator(policy().build()).apply(before.client());
    List<HeartbeatEvent> seen = new ArrayList<>();
    AtomicBoolean earlyDone = new AtomicBoolean();
    early.events().subscribe(seen::add, e -> { }, () -> earlyDone.set(true));
    clock.advance(INTERVAL);
    early.close(CloseStatus.NORMAL).subscribe();
    clock.advance(Duration.ofMillis(1));
    assertTrue(seen.stream().anyMatch(HeartbeatEvent.Sent.class::isInstance), seen.toString());
    assertTrue(earlyDone.get(), "asked for before the end: completes at the end");

    // Nobody asked for events while it was open (as on a server): asked for afterwards, they end at once.
    LocalConnectionPair after = LocalConnectionPair.create(clock);
    HeartbeatConnection late = Heartbeat.operator(policy().build()).apply(after.client());
    clock.advance(INTERVAL);
    after.drop();
    clock.advance(Duration.ofMillis(1));
    assertFalse(late.isOpen());
    StepVerifier.create(late.events()).expectComplete().verify(Duration.ofSeconds(5));
  }

  @ParameterizedTest
  @ValueSource(longs = {35, 15}) // seconds: more than two intervals, and less (a verdict before any suspicion)
  void anApplicationThatStopsReadingKeepsItsPeerAlive(long timeoutSeconds) {
    Duration timeout = Duration.ofSeconds(timeoutSeconds);
    LocalConnectionPair pair = LocalConnectionPair.create(clock);
    HeartbeatConnection client = Heartbeat.operator(policy().timeout(timeout).build()).apply(pair.client());
    // 40 messages at 1 s, more than the operator holds, then the server goes silent.
    pair.server().send(Mono.delay(Duration.ofSeconds(1), clock.clock())
        .thenMany(Flux.range(0, 40).map(i -> WsFrame.text("m" + i)))).subscribe();
    clock.advance(Duration.ofSeconds(2));
    pair.toClient().blackhole();
    clock.advance(Duration.ofSeconds(100));
    assertTrue(client.isOpen(), "frames wait on this side: the peer is not to blame");

    List<WsFrame> read = new ArrayList<>();
    client.receive().subscribe(read::add, e -> { });
    assertEquals(40, read.size(), "every held and unread message is delivered");
    clock.advance(timeout.minusMillis(1));
    assertTrue(client.isOpen());
    clock.advance(Duration.ofMillis(1));
    assertFalse(client.isOpen(), "once read, silence counts again");
  }

  @Test
  void receiveAllowsOneSubscriberAndCancellingItClosesWith1000() {
    LocalConnectionPair pair = LocalConnectionPair.create(clock);
    HeartbeatConnection client = Heartbeat.operator(policy().build()).apply(pair.client());
    reactor.core.Disposable first = client.receive().subscribe();
    StepVerifier.create(client.receive()).expectError(IllegalStateException.class).verify(Duration.ofSeconds(1));
    first.dispose();
    clock.advance(Duration.ofMillis(1));
    assertEquals(1000, pair.server().onClose().block(Duration.ofSeconds(1)).code());
  }

  @Test
  void aHeartbeatBehindAProxyFlowsWellInsideItsIdleTimeout() {
    HeartbeatPolicy behindProxy = HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames())
        .behindIdleTimeout(Duration.ofSeconds(90)).build();
    assertEquals(Duration.ofSeconds(60), behindProxy.interval());
    LocalConnectionPair pair = LocalConnectionPair.create(clock);
    Heartbeat.operator(behindProxy).apply(pair.client());
    chatter(pair.server(), Duration.ofSeconds(30), 6); // a live peer that does not answer pings
    List<Long> pings = new ArrayList<>();
    pair.server().receive().filter(WsFrame.Ping.class::isInstance).subscribe(f -> pings.add(millis()));
    clock.advance(Duration.ofMinutes(3));
    assertEquals(List.of(60_000L, 120_000L, 180_000L), pings, "never 90 s of silence on the wire");
  }

  @Test
  void rttIsNullBeforeTheFirstAnswer() {
    HeartbeatConnection client = Heartbeat.operator(policy().build()).apply(LocalConnectionPair.create(clock).client());
    assertNull(client.lastRtt());
    assertEquals(PeerState.HEALTHY, client.state());
  }

  @Test
  void heartbeatFramesGoThroughTheTransportsFrameWriterWhenItHasOne() {
    LocalConnectionPair pair = LocalConnectionPair.create(clock);
    List<WsFrame> written = new ArrayList<>();
    AtomicInteger sends = new AtomicInteger();
    WebSocketConnection withWriter = new ForwardingConnection(pair.client()) {
      @Override
      public Mono<Void> send(Publisher<? extends WsFrame> frames) {
        sends.incrementAndGet();
        return super.send(frames);
      }

      @Override
      public Consumer<WsFrame> frameWriter() {
        return frame -> {
          written.add(frame);
          delegate.send(Mono.just(frame)).subscribe();
        };
      }
    };
    HeartbeatConnection client = Heartbeat.operator(policy().build()).apply(withWriter);
    client.receive().subscribe();
    // The bare server answers the client's pings, and pings once itself.
    pair.server().send(pair.server().receive()
            .filter(WsFrame.Ping.class::isInstance)
            .map(f -> (WsFrame) WsFrame.pong(((WsFrame.Ping) f).payload()))
            .mergeWith(Mono.just(WsFrame.ping(new byte[] {9})).delayElement(Duration.ofSeconds(15), clock.clock())))
        .subscribe();

    clock.advance(Duration.ofSeconds(30));

    assertEquals(List.of(WsFrame.Ping.class, WsFrame.Pong.class, WsFrame.Ping.class, WsFrame.Ping.class),
        written.stream().map(Object::getClass).toList(), "pings at 10, 20 and 30 s, the answer at 15 s: " + written);
    assertEquals(WsFrame.pong(new byte[] {9}), written.get(1));
    assertEquals(0, sends.get(), "no send through the publisher path");
    assertEquals(Duration.ZERO, client.lastRtt(), "the server's answers arrived");
    assertTrue(client.isOpen());
  }
}
