package dev.heartbeat.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.Heartbeat;
import dev.heartbeat.HeartbeatConnection;
import dev.heartbeat.HeartbeatEvent;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.reconnect.ConnectionEvent;
import dev.heartbeat.reconnect.ReconnectStrategy;
import dev.heartbeat.reconnect.ReconnectingSession;
import dev.heartbeat.test.FaultyTcpProxy;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * Faults over real sockets: a peer that goes silent behind a frozen proxy (half-open TCP: no FIN,
 * no RST, ever), a connection reset, and a server that crashes while it streams.
 */
class NettyFaultTest {

  private static final Duration DEADLINE = Loopback.DEADLINE;
  private static final Duration INTERVAL = Duration.ofMillis(250);
  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  private final Loopback loopback = new Loopback();

  @AfterEach
  void disposeAll() {
    loopback.disposeAll();
  }

  private static HeartbeatPolicy policy() {
    return HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames()).interval(INTERVAL).timeout(TIMEOUT).build();
  }

  private ReconnectingSession session(URI uri, ReconnectStrategy strategy, List<ConnectionEvent> events) {
    ReconnectingSession session = ReconnectingSession.builder(NettyClientTransport.create(uri))
        .strategy(strategy)
        .decorator(Heartbeat.operator(policy()))
        .build();
    loopback.track(session::close);
    session.events().subscribe(events::add);
    return session;
  }

  private static <T extends ConnectionEvent> List<T> ofType(List<ConnectionEvent> events, Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
  }

  @Test
  void aPeerSilentBehindAFrozenProxyIsDeclaredDeadWithinTimeoutPlusIntervalAndTheClientReconnectsOnceItRecovers() {
    Sinks.Many<Long> serverDeaths = Sinks.many().replay().all();
    NettyServerTransport.NettyServer server = loopback.start(Heartbeat.handler(policy(), session -> {
      session.events().filter(HeartbeatEvent.Dead.class::isInstance).subscribe(dead -> serverDeaths.tryEmitNext(System.nanoTime()));
      return session.send(session.receive());
    }));
    FaultyTcpProxy proxy = loopback.track(FaultyTcpProxy.start(server.port()));
    List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
    ReconnectingSession session = session(Loopback.uri(proxy.port()), ReconnectStrategy.builder()
        .minDelay(Duration.ofMillis(100)).maxDelay(Duration.ofMillis(300)).connectTimeout(Duration.ofMillis(800))
        .random(new Random(7)::nextDouble).build(), events);
    Sinks.Many<WsFrame> inbound = Sinks.many().replay().all();
    session.receive().subscribe(inbound::tryEmitNext);
    session.start();
    session.send(WsFrame.text("before")).block(DEADLINE);
    StepVerifier.create(inbound.asFlux().take(1)).expectNext(WsFrame.text("before")).expectComplete().verify(DEADLINE);
    HeartbeatConnection first = (HeartbeatConnection) ofType(events, ConnectionEvent.Connected.class).get(0).connection();
    Sinks.One<Long> clientDeath = Sinks.one();
    first.events().filter(HeartbeatEvent.Dead.class::isInstance).subscribe(dead -> clientDeath.tryEmitValue(System.nanoTime()));

    proxy.freeze(); // both ways silent; neither socket closes
    long frozenAt = System.nanoTime();
    Duration clientDeadAfter = Duration.ofNanos(clientDeath.asMono().block(DEADLINE) - frozenAt);
    Duration serverDeadAfter = Duration.ofNanos(serverDeaths.asFlux().blockFirst(DEADLINE) - frozenAt);
    // Timeout plus one interval, plus the sweep's granularity (two sweep periods): a sweep that
    // ran late on a busy machine holds deaths back for its grace, at most one interval.
    Duration bound = TIMEOUT.plus(INTERVAL).plus(policy().resolution().multipliedBy(2));
    Duration early = TIMEOUT.minus(INTERVAL).minus(INTERVAL);
    assertTrue(clientDeadAfter.compareTo(bound) <= 0 && clientDeadAfter.compareTo(early) >= 0,
        "client declared the server dead after " + clientDeadAfter.toMillis() + " ms");
    assertTrue(serverDeadAfter.compareTo(bound) <= 0 && serverDeadAfter.compareTo(early) >= 0,
        "server declared the client dead after " + serverDeadAfter.toMillis() + " ms");
    StepVerifier.create(session.events().filter(e -> e instanceof ConnectionEvent.Disconnected d && d.status().code() == 4408).take(1))
        .expectNextCount(1).expectComplete().verify(DEADLINE);
    // Reconnects go through the frozen proxy too: TCP connects, the handshake never answers.
    StepVerifier.create(session.events().filter(e -> e instanceof ConnectionEvent.ReconnectScheduled r && r.attempt() >= 2).take(1))
        .expectNextCount(1).expectComplete().verify(DEADLINE);
    assertEquals(1, ofType(events, ConnectionEvent.Connected.class).size(), "no connection while frozen: " + events);

    proxy.resume();
    StepVerifier.create(session.events().filter(ConnectionEvent.Connected.class::isInstance).take(1))
        .expectNextCount(1).expectComplete().verify(DEADLINE);
    session.send(WsFrame.text("after")).block(DEADLINE);
    StepVerifier.create(inbound.asFlux().take(2)).expectNext(WsFrame.text("before"), WsFrame.text("after"))
        .expectComplete().verify(DEADLINE);
  }

  @Test
  void aResetConnectionIsReported1006OnBothSides() {
    Sinks.Many<WebSocketConnection> sides = Sinks.many().replay().all();
    NettyServerTransport.NettyServer server = loopback.start(session -> {
      sides.tryEmitNext(session);
      return session.onClose().then();
    });
    FaultyTcpProxy proxy = loopback.track(FaultyTcpProxy.start(server.port()));
    NettyWebSocketConnection client = loopback.connect(proxy.port());
    client.receive().subscribe(frame -> { }, error -> { });
    WebSocketConnection serverSide = sides.asFlux().blockFirst(DEADLINE);
    proxy.cutAll();
    assertEquals(1006, client.onClose().block(DEADLINE).code());
    assertEquals(1006, serverSide.onClose().block(DEADLINE).code());
  }

  @Test
  void aServerKilledMidStreamMakesEveryClientReconnectWithJitteredGrowingDelays() {
    HeartbeatPolicy policy = policy();
    SessionHandler<WebSocketConnection> ticker = Heartbeat.handler(policy,
        session -> session.send(Flux.interval(Duration.ofMillis(20)).map(i -> WsFrame.text("tick " + i))));
    NettyServerTransport.NettyServer server = loopback.start(ticker);
    int clients = 3;
    List<List<ConnectionEvent>> events = new ArrayList<>();
    List<Sinks.Many<WsFrame>> inbounds = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      List<ConnectionEvent> log = new CopyOnWriteArrayList<>();
      ReconnectingSession session = session(Loopback.uri(server.port()), ReconnectStrategy.builder()
          .minDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(1)).multiplier(2).jitter(0.5)
          .random(new Random(100 + i)::nextDouble).build(), log);
      Sinks.Many<WsFrame> inbound = Sinks.many().replay().all();
      session.receive().subscribe(inbound::tryEmitNext);
      session.start();
      events.add(log);
      inbounds.add(inbound);
    }
    for (Sinks.Many<WsFrame> inbound : inbounds) {
      StepVerifier.create(inbound.asFlux().take(3)).expectNextCount(3).expectComplete().verify(DEADLINE);
    }

    server.kill(); // mid-stream: no close frame, the port refuses connects
    for (List<ConnectionEvent> log : events) {
      await(log, l -> ofType(l, ConnectionEvent.ReconnectScheduled.class).size() >= 3);
      List<ConnectionEvent.Disconnected> drops = ofType(log, ConnectionEvent.Disconnected.class);
      assertEquals(1006, drops.get(0).status().code(), log.toString());
      assertTrue(drops.get(0).willReconnect());
      List<ConnectionEvent.ReconnectScheduled> scheduled = ofType(log, ConnectionEvent.ReconnectScheduled.class);
      for (int n = 0; n < 3; n++) {
        ConnectionEvent.ReconnectScheduled r = scheduled.get(n);
        assertEquals(n + 1, r.attempt());
        long base = 100L << n;
        assertTrue(r.delay().toMillis() >= base / 2 && r.delay().toMillis() <= base, "attempt " + r.attempt() + ": " + r.delay());
      }
      assertTrue(scheduled.get(2).delay().compareTo(scheduled.get(0).delay()) > 0, "delays grow: " + scheduled);
    }
    List<Duration> firstDelays = events.stream()
        .map(log -> ofType(log, ConnectionEvent.ReconnectScheduled.class).get(0).delay()).collect(Collectors.toList());
    assertTrue(firstDelays.stream().distinct().count() > 1, "clients do not come back in lock-step: " + firstDelays);

    loopback.start(NettyServerTransport.create("127.0.0.1", server.port()), ticker);
    for (int i = 0; i < clients; i++) {
      List<ConnectionEvent> log = events.get(i);
      await(log, l -> ofType(l, ConnectionEvent.Connected.class).size() == 2);
      // Ticks flow again: more than before the crash.
      int before = inbounds.get(i).asFlux().take(Duration.ofMillis(1)).collectList().block(DEADLINE).size();
      StepVerifier.create(inbounds.get(i).asFlux().skip(before).take(3)).expectNextCount(3).expectComplete().verify(DEADLINE);
    }
  }

  /** Waits, with the deadline, until {@code condition} holds for the growing {@code log}. */
  private static void await(List<ConnectionEvent> log, java.util.function.Predicate<List<ConnectionEvent>> condition) {
    long end = System.nanoTime() + DEADLINE.toNanos();
    Flux.interval(Duration.ofMillis(10))
        .takeUntil(i -> condition.test(log) || System.nanoTime() > end)
        .blockLast(DEADLINE.plusSeconds(1));
    assertTrue(condition.test(log), "condition not met within " + DEADLINE + ": " + log);
  }
}
