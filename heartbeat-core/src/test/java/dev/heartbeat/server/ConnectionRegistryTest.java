package dev.heartbeat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.ControlledScheduler;
import dev.heartbeat.ForwardingConnection;
import dev.heartbeat.Heartbeat;
import dev.heartbeat.HeartbeatConnection;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.local.LocalClientTransport;
import dev.heartbeat.local.LocalConnectionPair;
import dev.heartbeat.local.LocalServerTransport;
import dev.heartbeat.transport.HandshakeInfo;
import dev.heartbeat.transport.MonotonicScheduler;
import dev.heartbeat.transport.Role;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.util.RaceTestUtils;

/** The server role over the in-memory transport, on a virtual clock. */
class ConnectionRegistryTest {

  private final ControlledScheduler clock = ControlledScheduler.create();
  private final HeartbeatPolicy policy = HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames())
      .interval(Duration.ofSeconds(1)).timeout(Duration.ofSeconds(3)).build();
  private final LocalServerTransport transport = LocalServerTransport.create(clock);

  private ConnectionRegistry.Builder registry() {
    return ConnectionRegistry.builder(policy).scheduler(clock).transportTag("local");
  }

  /** A client under the same policy (so it answers the server's pings), reading everything. */
  private HeartbeatConnection connect(String uri, List<WsFrame> inbox) {
    WebSocketConnection raw = LocalClientTransport.create(transport, clock, URI.create(uri)).connect().block();
    HeartbeatConnection client = Heartbeat.operator(policy).apply(raw);
    client.receive().subscribe(inbox::add, error -> { });
    return client;
  }

  @Test
  void countsAndMetersMatchWhatHappened() {
    ConnectionRegistry registry = registry().build();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ServerMetrics.bind(registry, meters);
    transport.start(registry.handler(session -> session.send(session.receive()))).block();
    List<HeartbeatConnection> clients = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      clients.add(connect("local:/ws", new ArrayList<>()));
    }
    clock.advance(Duration.ofSeconds(2));
    assertEquals(50, registry.active());

    // 5 close normally; then 10 others vanish without a word (nothing of theirs reaches the server).
    for (int i = 0; i < 5; i++) {
      clients.get(i).close(CloseStatus.NORMAL).subscribe();
    }
    clock.advance(Duration.ofMillis(10));
    List<LocalConnectionPair> stillOpen = transport.connections();
    assertEquals(45, stillOpen.size());
    for (int i = 0; i < 10; i++) {
      stillOpen.get(i).toServer().blackhole();
    }
    clock.advance(Duration.ofSeconds(5));

    RegistrySnapshot snapshot = registry.snapshot();
    assertEquals(35, snapshot.active());
    assertEquals(50, snapshot.totalOpened());
    assertEquals(10, snapshot.closed(CloseCause.HEARTBEAT_TIMEOUT));
    assertEquals(5, snapshot.closed(CloseCause.NORMAL));
    assertEquals(15, snapshot.totalClosed());
    assertEquals(35.0, meters.get("heartbeat.connections.active").gauge().value());
    assertEquals(50.0, meters.get("heartbeat.connections.opened").counter().count());
    assertEquals(10.0, meters.get("heartbeat.connections.closed").tag("cause", "heartbeat-timeout").counter().count());
    assertEquals(5.0, meters.get("heartbeat.connections.closed").tag("cause", "normal").counter().count());
    assertEquals(0.0, meters.get("heartbeat.connections.closed").tag("cause", "error").counter().count());
    assertEquals("local", meters.get("heartbeat.connections.active").gauge().getId().getTag("transport"));
    assertTrue(snapshot.heartbeatsMissed() >= 10, "the silent ones missed heartbeats first: " + snapshot.heartbeatsMissed());
  }

  @Test
  void aDeadPeerStopsCountingAsActiveAtTheVerdictNotWhenItsCloseHandshakeEnds() {
    ConnectionRegistry registry = registry().build();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ServerMetrics.bind(registry, meters);
    // A transport whose close completes 30 s late, as a real one does when the peer never
    // answers the close frame (it waits out its close timeout).
    SessionHandler<WebSocketConnection> handler = registry.handler(session -> session.onClose().then());
    transport.start(raw -> handler.handle(new SlowToClose(raw, Duration.ofSeconds(30)))).block();
    connect("local:/ws", new ArrayList<>());
    clock.advance(Duration.ofSeconds(1));
    transport.connections().get(0).toServer().blackhole();

    clock.advance(policy.timeout().plus(policy.interval()));
    assertEquals(0, registry.active(), "gone at the verdict");
    assertEquals(1, registry.snapshot().closed(CloseCause.HEARTBEAT_TIMEOUT));
    assertEquals(0.0, meters.get("heartbeat.connections.active").gauge().value());
    clock.advance(Duration.ofSeconds(30));
    assertEquals(1, registry.snapshot().totalClosed(), "the late close is not counted twice");
  }

  @Test
  void aConnectionClosedByTheServerEndsForThatReasonEvenIfItsPeerFallsSilentMeanwhile() {
    ConnectionRegistry registry = registry().build();
    SessionHandler<WebSocketConnection> handler = registry.handler(session -> session.receive()
        .filter(frame -> frame.equals(WsFrame.text("bye")))
        .concatMap(frame -> session.close(CloseStatus.POLICY_VIOLATION.withReason("told to")))
        .then());
    transport.start(raw -> handler.handle(new SlowToClose(raw, Duration.ofSeconds(30)))).block();
    HeartbeatConnection client = connect("local:/ws", new ArrayList<>());
    clock.advance(Duration.ofSeconds(1));
    client.send(Mono.just(WsFrame.text("bye"))).subscribe();
    // The in-memory close is done at once, so nothing more arrives, but its end is reported 30 s
    // late: the heartbeat sees a silent peer for longer than its timeout.

    clock.advance(Duration.ofSeconds(30));
    RegistrySnapshot snapshot = registry.snapshot();
    assertEquals(1, snapshot.closed(CloseCause.POLICY), snapshot.toString());
    assertEquals(0, snapshot.closed(CloseCause.HEARTBEAT_TIMEOUT), "no verdict on a connection already closing");
  }

  /** A connection whose close is reported {@code lag} after it happened. */
  private final class SlowToClose extends ForwardingConnection {
    private final Mono<CloseStatus> onClose;

    SlowToClose(WebSocketConnection delegate, Duration lag) {
      super(delegate);
      this.onClose = delegate.onClose().delayElement(lag, clock).cache();
    }

    @Override
    public Mono<Void> close(CloseStatus status) {
      return delegate.close(status).then(onClose.then());
    }

    @Override
    public Mono<CloseStatus> onClose() {
      return onClose;
    }
  }


  @Test
  void theRttHistogramIsPopulated() {
    ConnectionRegistry registry = registry().build();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    var rttConfig = new java.util.concurrent.atomic.AtomicReference<io.micrometer.core.instrument.distribution.DistributionStatisticConfig>();
    meters.config().meterFilter(new io.micrometer.core.instrument.config.MeterFilter() {
      @Override
      public io.micrometer.core.instrument.distribution.DistributionStatisticConfig configure(
          io.micrometer.core.instrument.Meter.Id id, io.micrometer.core.instrument.distribution.DistributionStatisticConfig config) {
        if (id.getName().equals("heartbeat.rtt")) {
          rttConfig.set(config);
        }
        return config;
      }
    });
    ServerMetrics.bind(registry, meters);
    transport.start(registry.handler(session -> session.send(session.receive()))).block();
    connect("local:/ws", new ArrayList<>());
    transport.connections().get(0).toServer().delay(Duration.ofMillis(7));
    transport.connections().get(0).toClient().delay(Duration.ofMillis(5));
    clock.advance(Duration.ofMillis(5_100)); // pings at 1..5 s, each answered 12 ms later
    var rtt = meters.get("heartbeat.rtt").timer();
    assertEquals(5, rtt.count(), "one answered heartbeat a second");
    assertEquals(12.0, rtt.max(java.util.concurrent.TimeUnit.MILLISECONDS));
    assertTrue(rttConfig.get().isPercentileHistogram(), "published as a histogram (Prometheus buckets)");
    assertEquals(5.0, meters.get("heartbeat.heartbeats.answered").counter().count());
    assertEquals(Duration.ofMillis(12), registry.snapshot().lastRtt());
  }

  @Test
  void aNewerConnectionForAKeySupersedesTheOlderWith4500() {
    ConnectionRegistry registry = registry()
        .sessionKeys(SessionKeyPolicy.onePerKey(SessionKeyPolicy.queryParam("user"))).build();
    transport.start(registry.handler(session -> session.send(session.receive()))).block();
    HeartbeatConnection firstTab = connect("local:/ws?user=ann", new ArrayList<>());
    HeartbeatConnection bob = connect("local:/ws?user=bob", new ArrayList<>());
    clock.advance(Duration.ofMillis(10));
    HeartbeatConnection secondTab = connect("local:/ws?user=ann", new ArrayList<>());
    clock.advance(Duration.ofMillis(10));
    assertEquals(4500, firstTab.onClose().block(Duration.ofSeconds(1)).code());
    assertTrue(secondTab.isOpen() && bob.isOpen());
    assertEquals(1, registry.sessions("ann").size());
    assertEquals(1, registry.snapshot().closed(CloseCause.SUPERSEDED));
  }

  @Test
  void theTakeoverCodeIsConfigurable() {
    ConnectionRegistry registry = registry().sessionKeys(SessionKeyPolicy.onePerKey(SessionKeyPolicy.queryParam("user"))
        .supersededWith(CloseStatus.of(4009, "replaced"))).build();
    transport.start(registry.handler(session -> session.onClose().then())).block();
    HeartbeatConnection first = connect("local:/ws?user=ann", new ArrayList<>());
    connect("local:/ws?user=ann", new ArrayList<>());
    clock.advance(Duration.ofMillis(10));
    assertEquals(4009, first.onClose().block(Duration.ofSeconds(1)).code());
    assertEquals(1, registry.snapshot().closed(CloseCause.SUPERSEDED));
  }

  @Test
  void twoConnectsRacingForOneKeyLeaveExactlyOneLive() {
    for (int round = 0; round < 100; round++) {
      var loop = MonotonicScheduler.wrap(Schedulers.single());
      LocalServerTransport server = LocalServerTransport.create(loop);
      ConnectionRegistry registry = ConnectionRegistry.builder(policy)
          .sessionKeys(SessionKeyPolicy.onePerKey(SessionKeyPolicy.queryParam("user"))).build();
      server.start(registry.handler(session -> session.onClose().then())).block();
      List<WebSocketConnection> clients = new CopyOnWriteArrayList<>();
      Runnable connect = () -> clients.add(
          LocalClientTransport.create(server, loop, URI.create("local:/ws?user=ann")).connect().block());
      RaceTestUtils.race(connect, connect);
      int round0 = round;
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while ((clients.stream().filter(WebSocketConnection::isOpen).count() != 1 || registry.sessions("ann").size() != 1)
          && System.nanoTime() < deadline) {
        Thread.onSpinWait(); // a condition with a deadline, not a sleep
      }
      assertEquals(1, clients.stream().filter(WebSocketConnection::isOpen).count(), "round " + round0);
      assertEquals(1, registry.sessions("ann").size(), "round " + round0);
      server.kill();
    }
  }

  @Test
  void broadcastReachesEveryConnectionInOrder() {
    ConnectionRegistry registry = registry().build();
    transport.start(registry.handler(session -> session.onClose().then())).block();
    List<List<WsFrame>> inboxes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      List<WsFrame> inbox = new ArrayList<>();
      inboxes.add(inbox);
      connect("local:/ws?user=u" + (i % 2), inbox);
    }
    List<WsFrame> sent = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      WsFrame frame = WsFrame.text("n" + i);
      sent.add(frame);
      assertEquals(5, registry.broadcast(frame));
    }
    clock.advance(Duration.ofMillis(10));
    inboxes.forEach(inbox -> assertEquals(sent, inbox));
  }

  @Test
  void sendToKeyAndToAPredicateReachOnlyThose() {
    ConnectionRegistry registry = registry()
        .sessionKeys(SessionKeyPolicy.manyPerKey(SessionKeyPolicy.queryParam("user"))).build();
    transport.start(registry.handler(session -> session.onClose().then())).block();
    List<WsFrame> ann1 = new ArrayList<>();
    List<WsFrame> ann2 = new ArrayList<>();
    List<WsFrame> bob = new ArrayList<>();
    connect("local:/ws?user=ann", ann1);
    connect("local:/ws?user=ann", ann2);
    connect("local:/ws?user=bob", bob);
    assertEquals(2, registry.sendToKey("ann", WsFrame.text("for ann")));
    assertEquals(1, registry.broadcast(WsFrame.text("for bob"), s -> "bob".equals(s.key())));
    clock.advance(Duration.ofMillis(10));
    assertEquals(List.of(WsFrame.text("for ann")), ann1);
    assertEquals(List.of(WsFrame.text("for ann")), ann2);
    assertEquals(List.of(WsFrame.text("for bob")), bob);
  }

  @Test
  void aClientThatDoesNotReadIsClosedAtTheBufferCapWhileTheOthersKeepTheirHeartbeat() {
    ConnectionRegistry registry = registry().outboundBuffer(8).build();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ServerMetrics.bind(registry, meters);
    transport.start(registry.handler(session -> session.onClose().then())).block();
    // The stuck client: its application never reads, so its window (256 frames) fills, then the buffer.
    WebSocketConnection stuck = LocalClientTransport.create(transport, clock).connect().block();
    stuck.receive().subscribe(new BaseSubscriber<>() {
      @Override
      protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
        // never requests
      }
    });
    List<WsFrame> healthyInbox = new ArrayList<>();
    HeartbeatConnection healthy = connect("local:/ws", healthyInbox);
    int pushed = 0;
    while (stuck.isOpen() && pushed < 10_000) {
      registry.broadcast(WsFrame.text("tick " + pushed++));
      clock.advance(Duration.ofMillis(1));
    }
    assertEquals(1008, stuck.onClose().block(Duration.ofSeconds(1)).code(), "closed once its buffer was full");
    assertTrue(pushed <= LocalConnectionPair.DEFAULT_WINDOW + 8 + 2,
        "at the cap: window + buffer, not an unbounded queue; pushed " + pushed);
    assertEquals(1.0, meters.get("heartbeat.connections.closed").tag("cause", "policy").counter().count());
    clock.advance(Duration.ofSeconds(3));
    assertTrue(healthy.isOpen());
    assertEquals(pushed, healthyInbox.size(), "the reader got everything");
    assertNotNull(healthy.lastRtt());
    assertTrue(healthy.lastRtt().compareTo(policy.interval()) < 0, "its heartbeat was not delayed: " + healthy.lastRtt());
  }

  @Test
  void slowConsumersCanHaveMessagesDroppedInstead() {
    ConnectionRegistry registry = registry().outboundBuffer(8).slowConsumer(SlowConsumerAction.DROP).build();
    transport.start(registry.handler(session -> session.onClose().then())).block();
    WebSocketConnection stuck = LocalClientTransport.create(transport, clock).connect().block();
    stuck.receive().subscribe(new BaseSubscriber<>() {
      @Override
      protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
        // never requests
      }
    });
    int queued = 0;
    for (int i = 0; i < 300; i++) {
      queued += registry.broadcast(WsFrame.text("tick " + i));
      clock.advance(Duration.ofMillis(1));
    }
    assertTrue(stuck.isOpen(), "kept open");
    assertTrue(queued <= LocalConnectionPair.DEFAULT_WINDOW + 8, "no more than the window and the buffer: " + queued);
    assertEquals(300 - queued, registry.snapshot().droppedMessages(), "every frame not queued is counted as dropped");
  }

  @Test
  void shutdownClosesEveryConnectionWith1001AndRefusesNewOnes() {
    ConnectionRegistry registry = registry().build();
    transport.start(registry.handler(session -> session.onClose().then())).block();
    List<HeartbeatConnection> clients = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      clients.add(connect("local:/ws", new ArrayList<>()));
    }
    CloseStatus goingAway = CloseStatus.of(1001, "restarting; reconnect in 1-5 s");
    registry.shutdown(goingAway, Duration.ofSeconds(5)).subscribe();
    clock.advance(Duration.ofMillis(10));
    for (HeartbeatConnection client : clients) {
      CloseStatus seen = client.onClose().block(Duration.ofSeconds(1));
      assertEquals(1001, seen.code());
      assertEquals("restarting; reconnect in 1-5 s", seen.reason());
    }
    assertEquals(5, registry.snapshot().closed(CloseCause.SHUTDOWN));
    HeartbeatConnection late = connect("local:/ws", new ArrayList<>());
    clock.advance(Duration.ofMillis(10));
    assertEquals(1001, late.onClose().block(Duration.ofSeconds(1)).code(), "no new connection while shutting down");
  }

  @Test
  void shutdownSendsEveryCloseAtOnceEvenWhenEachHandshakeTakesItsTime() {
    ConnectionRegistry registry = registry().build();
    SessionHandler<WebSocketConnection> handler = registry.handler(session -> session.onClose().then());
    // Each close is over only a second after its frame went out: a peer slow to answer it.
    transport.start(raw -> handler.handle(new SlowToClose(raw, Duration.ofSeconds(1)))).block();
    List<HeartbeatConnection> clients = new ArrayList<>();
    for (int i = 0; i < 300; i++) { // more than a flatMap's 256 at a time
      clients.add(connect("local:/ws", new ArrayList<>()));
    }
    var done = registry.shutdown(CloseStatus.GOING_AWAY, Duration.ofSeconds(5)).toFuture();
    clock.advance(Duration.ofMillis(10));

    long heard = clients.stream().filter(client -> !client.isOpen()).count();
    assertEquals(300, heard, "every client has its 1001 before any handshake is over");
    clock.advance(Duration.ofSeconds(1));
    assertTrue(done.isDone(), "over once the slowest handshake is, not 256 at a time");
  }

  @Test
  void shutdownGivesUpWaitingAtItsDeadline() {
    ConnectionRegistry registry = registry().build();
    transport.start(registry.handler(session -> session.onClose().then())).block();
    connect("local:/ws", new ArrayList<>());
    transport.connections().get(0).toServer().freeze(); // the close handshake never completes... 
    transport.connections().get(0).toClient().freeze(); // ...nor does anything else
    var done = registry.shutdown(CloseStatus.GOING_AWAY, Duration.ofSeconds(2)).toFuture();
    clock.advance(Duration.ofMillis(1_999));
    // The in-memory close completes on sending, so the deadline is reached only if the close hangs;
    // either way the shutdown must be over by the deadline.
    clock.advance(Duration.ofMillis(1));
    assertTrue(done.isDone(), "over by the deadline");
  }

  @Test
  void expiredCredentialsCloseTheConnectionAtTheirExpiryWithTheConfiguredCode() {
    for (CloseStatus status : List.of(CloseStatus.POLICY_VIOLATION.withReason("credentials expired"), CloseStatus.of(4401, "token expired"))) {
      ControlledScheduler clock = ControlledScheduler.create();
      LocalServerTransport transport = LocalServerTransport.create(clock);
      ConnectionRegistry registry = ConnectionRegistry.builder(policy).scheduler(clock)
          .expireAfter(handshake -> handshake.uri().getQuery().contains("short") ? Duration.ofSeconds(30) : null, status)
          .build();
      transport.start(registry.handler(session -> session.onClose().then())).block();
      HeartbeatConnection shortLived = Heartbeat.operator(policy).apply(
          LocalClientTransport.create(transport, clock, URI.create("local:/ws?token=short")).connect().block());
      HeartbeatConnection forever = Heartbeat.operator(policy).apply(
          LocalClientTransport.create(transport, clock, URI.create("local:/ws?token=long")).connect().block());
      clock.advance(Duration.ofMillis(29_999));
      assertTrue(shortLived.isOpen());
      clock.advance(Duration.ofMillis(1));
      assertEquals(status.code(), shortLived.onClose().block(Duration.ofSeconds(1)).code());
      assertEquals(status.reason(), shortLived.onClose().block(Duration.ofSeconds(1)).reason());
      assertEquals(1, registry.snapshot().closed(CloseCause.POLICY), "an expiry is a policy close, whatever its code");
      assertEquals(0, registry.snapshot().closed(CloseCause.ERROR));
      clock.advance(Duration.ofMinutes(5));
      assertTrue(forever.isOpen());
      forever.close(CloseStatus.NORMAL).subscribe();
      clock.advance(Duration.ofMillis(1));
      assertEquals(0, clock.pendingTasks(), "no expiry timer outlives its connection");
    }
  }

  @Test
  void keyExtractorsReadHeadersAndQueryParameters() {
    HandshakeInfo handshake = new HandshakeInfo(Role.SERVER, URI.create("ws://h/ws?user=a%20b&x=1"),
        java.util.Map.of("x-user-id", List.of("u-42")), null, null);
    assertEquals("a b", SessionKeyPolicy.queryParam("user").apply(handshake));
    assertEquals(null, SessionKeyPolicy.queryParam("missing").apply(handshake));
    assertEquals("u-42", SessionKeyPolicy.header("X-User-Id").apply(handshake));
  }

  @Test
  void buildersReturnNewInstancesAndRejectBadValuesNamingTheField() {
    ConnectionRegistry.Builder b = ConnectionRegistry.builder(policy);
    assertNotSame(b, b.outboundBuffer(4));
    assertNotSame(b, b.slowConsumer(SlowConsumerAction.DROP));
    assertNotSame(b, b.transportTag("netty"));
    assertNotSame(b, b.sessionKeys(SessionKeyPolicy.none()));
    assertNotSame(b, b.scheduler(clock));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> b.outboundBuffer(0)).getMessage().startsWith("outboundBuffer:"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> b.transportTag(" ")).getMessage().startsWith("transportTag:"));
    assertEquals("slowConsumer", assertThrows(NullPointerException.class, () -> b.slowConsumer(null)).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> SessionKeyPolicy.onePerKey(h -> null).supersededWith(CloseStatus.ABNORMAL)).getMessage().startsWith("supersededWith:"));
  }

  @Test
  void closeCausesFollowTheCloseCode() {
    assertEquals(CloseCause.NORMAL, CloseCause.of(CloseStatus.NORMAL, 4500));
    assertEquals(CloseCause.SHUTDOWN, CloseCause.of(CloseStatus.GOING_AWAY, 4500));
    assertEquals(CloseCause.HEARTBEAT_TIMEOUT, CloseCause.of(CloseStatus.HEARTBEAT_TIMEOUT, 4500));
    assertEquals(CloseCause.SUPERSEDED, CloseCause.of(CloseStatus.SUPERSEDED, 4500));
    assertEquals(CloseCause.SUPERSEDED, CloseCause.of(CloseStatus.of(4009), 4009));
    assertEquals(CloseCause.POLICY, CloseCause.of(CloseStatus.POLICY_VIOLATION, 4500));
    assertEquals(CloseCause.POLICY, CloseCause.of(CloseStatus.INVALID_PAYLOAD, 4500));
    assertEquals(CloseCause.TOO_BIG, CloseCause.of(CloseStatus.TOO_BIG, 4500));
    assertEquals(CloseCause.ERROR, CloseCause.of(CloseStatus.ABNORMAL, 4500));
    assertEquals(CloseCause.ERROR, CloseCause.of(CloseStatus.INTERNAL_ERROR, 4500));
    assertEquals("heartbeat-timeout", CloseCause.HEARTBEAT_TIMEOUT.tag());
  }
}
