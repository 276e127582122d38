package dev.heartbeat.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.Heartbeat;
import dev.heartbeat.HeartbeatConnection;
import dev.heartbeat.HeartbeatEvent;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.PeerState;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.reconnect.ConnectionEvent;
import dev.heartbeat.reconnect.ReconnectStrategy;
import dev.heartbeat.reconnect.ReconnectingSession;
import dev.heartbeat.server.CloseCause;
import dev.heartbeat.server.ConnectionRegistry;
import dev.heartbeat.server.RegistrySnapshot;
import dev.heartbeat.server.ServerMetrics;
import dev.heartbeat.server.ServerSession;
import dev.heartbeat.server.SessionKeyPolicy;
import dev.heartbeat.server.SlowConsumerAction;
import dev.heartbeat.transport.ClientTransport;
import dev.heartbeat.transport.HandshakeCheck;
import dev.heartbeat.transport.ServerHandle;
import dev.heartbeat.transport.ServerTransport;
import dev.heartbeat.transport.WebSocketConnection;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.EOFException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.util.RaceTestUtils;

/**
 * The server role ({@link ConnectionRegistry}: counts and meters, one session per key,
 * broadcast, slow consumers, graceful shutdown, handshake checks, credential expiry, ping
 * floods) over a transport's real loopback sockets. The role is implemented once, in the core;
 * a transport module proves it works on that transport with a short subclass that says how to
 * start its server and connect its client. The same behaviour is tested in memory on a virtual
 * clock by the core's own tests; this suite is the proof that nothing in a transport (read-ahead,
 * socket buffers, its close handshake, its upgrade path) changes it.
 *
 * <p>What a transport must provide: a server that serves the endpoint at {@link #PATH} on
 * 127.0.0.1, runs a {@link HandshakeCheck} before the upgrade (answering a refusal with its
 * HTTP status), and drops a connection whose close frame cannot be written (a peer that stopped
 * reading) after a bounded time, well within {@link #DEADLINE}; and a client that sends the
 * handshake headers it is given. Misbehaving clients
 * (forged origins, ping floods, a client that never reads) are written by hand on plain sockets
 * here, so no transport's exception or client type appears in the suite.
 *
 * <p>Real sockets run in real time: the policies use short intervals, and every wait is a
 * condition with a deadline ({@link #DEADLINE}), never a sleep. Exact counts are asserted only
 * once the condition they belong to came true.
 *
 * <pre>{@code
 * class NettyServerRoleTest extends ServerRoleSuite {
 *   protected ServerTransport serverTransport(HandshakeCheck check) {
 *     return NettyServerTransport.create("127.0.0.1", 0).handshakeCheck(check);
 *   }
 *   protected ClientTransport clientTransport(int port, String pathAndQuery, Map<String, String> headers) {
 *     NettyWebSocketSpec.Builder spec = NettyWebSocketSpec.builder();
 *     for (Map.Entry<String, String> h : headers.entrySet()) {
 *       spec = spec.header(h.getKey(), h.getValue());
 *     }
 *     return NettyClientTransport.create(URI.create("ws://127.0.0.1:" + port + pathAndQuery), spec.build());
 *   }
 * }
 * }</pre>
 */
public abstract class ServerRoleSuite {

  /** How long any condition may take to come true on a loaded 2-core machine. */
  protected static final Duration DEADLINE = Duration.ofSeconds(10);

  /** Where the server transports under test serve the WebSocket endpoint. */
  protected static final String PATH = "/ws";

  private final List<ServerHandle> servers = new CopyOnWriteArrayList<>();
  private final List<WebSocketConnection> clients = new CopyOnWriteArrayList<>();
  private final List<ReconnectingSession> sessions = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> others = new CopyOnWriteArrayList<>();

  /**
   * A new server transport that binds 127.0.0.1 on a free port (0) when started, serves the
   * endpoint at {@link #PATH}, and runs {@code check} on every upgrade request before upgrading.
   */
  protected abstract ServerTransport serverTransport(HandshakeCheck check);

  /**
   * A client transport for {@code ws://127.0.0.1:port} followed by {@code pathAndQuery} (such as
   * {@code /ws?user=ann}) that sends {@code headers} with its upgrade request.
   */
  protected abstract ClientTransport clientTransport(int port, String pathAndQuery, Map<String, String> headers);

  /**
   * The policy of the servers and clients here: ping frames every 250 ms, dead after 1.5 s of
   * silence; short enough for tests, long enough for a loaded machine.
   */
  protected HeartbeatPolicy policy() {
    return HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames())
        .interval(Duration.ofMillis(250)).timeout(Duration.ofMillis(1_500)).build();
  }

  /** A reconnect strategy fast enough for real-time tests, seeded. */
  protected ReconnectStrategy fastReconnect() {
    return ReconnectStrategy.builder().minDelay(Duration.ofMillis(50)).maxDelay(Duration.ofMillis(400))
        .connectTimeout(Duration.ofSeconds(3)).random(new java.util.Random(1)::nextDouble).build();
  }

  // ------------------------------------------------------------------ infrastructure

  @AfterEach
  void disposeAll() {
    sessions.forEach(ReconnectingSession::close);
    // Raw sockets and proxies first: a server never waits on a peer that will not read.
    for (AutoCloseable other : others) {
      try {
        other.close();
      } catch (Exception ignored) {
        // best effort
      }
    }
    Flux.fromIterable(clients)
        .flatMap(client -> client.close(CloseStatus.NORMAL).onErrorResume(e -> Mono.empty()))
        .then()
        .onErrorResume(e -> Mono.empty())
        .block(DEADLINE);
    for (ServerHandle server : servers) {
      server.shutdown().onErrorResume(e -> Mono.empty()).block(DEADLINE);
    }
  }

  /** A registry builder under {@link #policy()}. */
  private ConnectionRegistry.Builder registry() {
    return ConnectionRegistry.builder(policy());
  }

  /** Starts an echo server through {@code registry}, remembered for {@link #disposeAll()}. */
  private ServerHandle start(ConnectionRegistry registry, HandshakeCheck check) {
    ServerHandle server = serverTransport(check)
        .start(registry.handler(session -> session.send(session.receive())))
        .block(DEADLINE);
    assertNotNull(server, "the server started");
    servers.add(server);
    return server;
  }

  private ServerHandle start(ConnectionRegistry registry) {
    return start(registry, HandshakeCheck.acceptAll());
  }

  /** Connects a client under {@link #policy()} (so it answers the server's pings). */
  private HeartbeatConnection connect(int port, String pathAndQuery, Map<String, String> headers) {
    return connectLater(port, pathAndQuery, headers).block(DEADLINE);
  }

  private HeartbeatConnection connect(int port, String pathAndQuery) {
    return connect(port, pathAndQuery, Map.of());
  }

  private Mono<HeartbeatConnection> connectLater(int port, String pathAndQuery, Map<String, String> headers) {
    return Mono.defer(() -> clientTransport(port, pathAndQuery, headers).connect())
        .map(raw -> {
          HeartbeatConnection client = Heartbeat.operator(policy()).apply(raw);
          clients.add(client);
          return client;
        });
  }

  /** Connects {@code count} clients, a few at a time. */
  private List<HeartbeatConnection> connectMany(int count, int port, String pathAndQuery) {
    return Flux.range(0, count)
        .flatMapSequential(i -> connectLater(port, pathAndQuery, Map.of()), 8)
        .collectList()
        .block(DEADLINE);
  }

  /** Remembers {@code resource} to close it first in {@link #disposeAll()}. */
  private <T extends AutoCloseable> T track(T resource) {
    others.add(resource);
    return resource;
  }

  /**
   * Waits until {@code condition} holds, checking every 10 ms, at most {@link #DEADLINE};
   * fails with {@code state} (what was seen instead) when it does not.
   */
  protected static void await(Supplier<String> state, BooleanSupplier condition) {
    if (condition.getAsBoolean()) {
      return;
    }
    Boolean met = Flux.interval(Duration.ofMillis(10))
        .filter(tick -> condition.getAsBoolean())
        .next()
        .map(tick -> true)
        .timeout(DEADLINE, Mono.just(false))
        .block();
    assertTrue(Boolean.TRUE.equals(met) || condition.getAsBoolean(), () -> "not within " + DEADLINE + ": " + state.get());
  }

  private static String figures(ConnectionRegistry registry) {
    return registry.snapshot().toString();
  }

  private static double closedMeter(SimpleMeterRegistry meters, CloseCause cause) {
    return meters.get("heartbeat.connections.closed").tag("cause", cause.tag()).counter().count();
  }

  // ------------------------------------------------------------------ counts and meters

  @Test
  void countsAndMetersMatchWhatHappened() {
    ConnectionRegistry registry = registry().build();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ServerMetrics.bind(registry, meters);
    ServerHandle server = start(registry);
    FaultyTcpProxy proxy = track(FaultyTcpProxy.start(server.port()));
    List<HeartbeatConnection> direct = connectMany(40, server.port(), PATH);
    connectMany(10, proxy.port(), PATH);
    await(() -> figures(registry), () -> registry.active() == 50);

    proxy.freeze(); // 10 vanish: no close, no FIN, no byte of theirs reaches the server again
    for (int i = 0; i < 5; i++) {
      direct.get(i).close(CloseStatus.NORMAL).block(DEADLINE);
    }
    await(() -> figures(registry), () -> registry.active() == 35 && registry.snapshot().totalClosed() == 15
        && closedMeter(meters, CloseCause.HEARTBEAT_TIMEOUT) + closedMeter(meters, CloseCause.NORMAL) == 15);

    RegistrySnapshot snapshot = registry.snapshot();
    assertEquals(35, snapshot.active());
    assertEquals(50, snapshot.totalOpened());
    assertEquals(10, snapshot.closed(CloseCause.HEARTBEAT_TIMEOUT), snapshot::toString);
    assertEquals(5, snapshot.closed(CloseCause.NORMAL), snapshot::toString);
    assertEquals(15, snapshot.totalClosed(), "no other cause: " + snapshot);
    assertTrue(snapshot.heartbeatsMissed() >= 10, "the silent ones missed heartbeats first: " + snapshot);
    assertEquals(35.0, meters.get("heartbeat.connections.active").gauge().value());
    assertEquals(50.0, meters.get("heartbeat.connections.opened").counter().count());
    for (CloseCause cause : CloseCause.values()) {
      assertEquals((double) snapshot.closed(cause), closedMeter(meters, cause), "closed{cause=" + cause.tag() + "}");
    }
    assertTrue(direct.subList(5, 40).stream().allMatch(WebSocketConnection::isOpen), "the healthy ones stay open");
  }

  @Test
  void theRttHistogramIsPopulated() {
    ConnectionRegistry registry = registry().build();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    AtomicReference<@Nullable DistributionStatisticConfig> rttConfig = new AtomicReference<>();
    meters.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (id.getName().equals("heartbeat.rtt")) {
          rttConfig.set(config);
        }
        return config;
      }
    });
    ServerMetrics.bind(registry, meters);
    ServerHandle server = start(registry);
    connectMany(3, server.port(), PATH);
    Timer rtt = meters.get("heartbeat.rtt").timer();
    await(() -> "rtt count " + rtt.count(), () -> rtt.count() >= 6);

    Duration interval = policy().interval();
    assertTrue(rtt.max(TimeUnit.NANOSECONDS) > 0, "round trips measured");
    assertTrue(rtt.max(TimeUnit.NANOSECONDS) < interval.toNanos(),
        "loopback round trips well below the interval: max " + rtt.max(TimeUnit.MILLISECONDS) + " ms");
    DistributionStatisticConfig config = rttConfig.get();
    assertNotNull(config, "heartbeat.rtt configured");
    assertTrue(config.isPercentileHistogram(), "published as a histogram (Prometheus buckets)");
    Duration lastRtt = registry.snapshot().lastRtt();
    assertNotNull(lastRtt);
    assertTrue(lastRtt.compareTo(interval) < 0, "snapshot's last RTT: " + lastRtt);
    assertTrue(meters.get("heartbeat.heartbeats.answered").counter().count() >= 6);
  }

  // ------------------------------------------------------------------ one session per key

  @Test
  void aNewerConnectionForAKeySupersedesTheOlderWith4500() {
    ConnectionRegistry registry = registry()
        .sessionKeys(SessionKeyPolicy.onePerKey(SessionKeyPolicy.queryParam("user"))).build();
    ServerHandle server = start(registry);
    HeartbeatConnection firstTab = connect(server.port(), PATH + "?user=ann");
    HeartbeatConnection bob = connect(server.port(), PATH + "?user=bob");
    await(() -> figures(registry), () -> registry.sessions("ann").size() == 1 && registry.sessions("bob").size() == 1);

    HeartbeatConnection secondTab = connect(server.port(), PATH + "?user=ann");
    CloseStatus seen = firstTab.onClose().block(DEADLINE);
    assertNotNull(seen);
    assertEquals(4500, seen.code(), "the older tab reads 4500: " + seen);
    await(() -> figures(registry), () -> registry.snapshot().closed(CloseCause.SUPERSEDED) == 1 && registry.active() == 2);
    assertTrue(secondTab.isOpen() && bob.isOpen());
    assertEquals(1, registry.sessions("ann").size());
    assertEquals(1, registry.sessions("bob").size());
    // The newer one is the live one: it is served.
    secondTab.send(Mono.just(WsFrame.text("still here"))).block(DEADLINE);
    StepVerifier.create(secondTab.receive().take(1)).expectNext(WsFrame.text("still here")).expectComplete().verify(DEADLINE);
  }

  @Test
  void twoConnectsRacingForOneKeyLeaveExactlyOneLive() {
    ConnectionRegistry registry = registry()
        .sessionKeys(SessionKeyPolicy.onePerKey(SessionKeyPolicy.queryParam("user"))).build();
    ServerHandle server = start(registry);
    for (int round = 0; round < 20; round++) {
      String key = "racer-" + round;
      List<HeartbeatConnection> pair = new CopyOnWriteArrayList<>();
      Runnable connect = () -> pair.add(connect(server.port(), PATH + "?user=" + key));
      RaceTestUtils.race(Schedulers.boundedElastic(), connect, connect);
      int superseded = round + 1;
      String what = "round " + round;
      await(() -> what + ": " + pair + " " + figures(registry),
          () -> pair.size() == 2 && pair.stream().filter(WebSocketConnection::isOpen).count() == 1
              && registry.sessions(key).size() == 1
              && registry.snapshot().closed(CloseCause.SUPERSEDED) == superseded);
      HeartbeatConnection loser = pair.stream().filter(c -> !c.isOpen()).findFirst().orElseThrow();
      HeartbeatConnection winner = pair.stream().filter(WebSocketConnection::isOpen).findFirst().orElseThrow();
      assertEquals(4500, loser.onClose().block(DEADLINE).code(), what);
      winner.close(CloseStatus.NORMAL).block(DEADLINE);
      await(() -> what + ": " + figures(registry), () -> registry.sessions(key).isEmpty());
    }
    assertEquals(20, registry.snapshot().closed(CloseCause.SUPERSEDED));
    assertEquals(20, registry.snapshot().closed(CloseCause.NORMAL));
  }

  @Test
  void aSupersededReconnectingClientDoesNotReconnect() {
    ConnectionRegistry registry = registry()
        .sessionKeys(SessionKeyPolicy.onePerKey(SessionKeyPolicy.queryParam("user"))).build();
    ServerHandle server = start(registry);
    ReconnectingSession session = ReconnectingSession.builder(clientTransport(server.port(), PATH + "?user=dora", Map.of()))
        .strategy(fastReconnect())
        .decorator(Heartbeat.operator(policy()))
        .build();
    sessions.add(session);
    List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
    session.events().subscribe(events::add);
    session.receive().subscribe(frame -> { }, error -> { });
    session.start();
    await(() -> events + " " + figures(registry), () -> registry.sessions("dora").size() == 1);

    HeartbeatConnection newer = connect(server.port(), PATH + "?user=dora");
    session.onTerminate().block(DEADLINE);
    ConnectionEvent last = events.get(events.size() - 1);
    ConnectionEvent.Disconnected disconnected = assertInstanceOf(ConnectionEvent.Disconnected.class, last, events.toString());
    assertEquals(4500, disconnected.status().code());
    assertFalse(disconnected.willReconnect(), "4500 is terminal");
    assertEquals(1, events.stream().filter(ConnectionEvent.Connected.class::isInstance).count(), events.toString());
    assertTrue(events.stream().noneMatch(ConnectionEvent.ReconnectScheduled.class::isInstance), events.toString());
    await(() -> figures(registry), () -> registry.snapshot().closed(CloseCause.SUPERSEDED) == 1);
    assertTrue(newer.isOpen());
    assertEquals(1, registry.sessions("dora").size());
  }

  // ------------------------------------------------------------------ broadcast and slow consumers

  @Test
  void broadcastKeepsOrderPerConnection() {
    ConnectionRegistry registry = registry()
        .sessionKeys(SessionKeyPolicy.manyPerKey(SessionKeyPolicy.queryParam("user"))).build();
    ServerHandle server = start(registry);
    List<List<WsFrame>> inboxes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      List<WsFrame> inbox = new CopyOnWriteArrayList<>();
      inboxes.add(inbox);
      connect(server.port(), PATH + "?user=u" + (i % 2)).receive().subscribe(inbox::add, error -> { });
    }
    await(() -> figures(registry), () -> registry.active() == 5);

    List<WsFrame> sent = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      WsFrame frame = WsFrame.text("n" + i);
      sent.add(frame);
      assertEquals(5, registry.broadcast(frame), "queued for every connection");
    }
    assertEquals(2, registry.sendToKey("u1", WsFrame.text("for u1")));
    assertEquals(5, registry.broadcast(WsFrame.text("end")));
    await(() -> inboxes.stream().map(List::size).collect(Collectors.toList()).toString(),
        () -> inboxes.stream().allMatch(inbox -> !inbox.isEmpty() && inbox.get(inbox.size() - 1).equals(WsFrame.text("end"))));
    for (int i = 0; i < inboxes.size(); i++) {
      List<WsFrame> expected = new ArrayList<>(sent);
      if (i % 2 == 1) {
        expected.add(WsFrame.text("for u1"));
      }
      expected.add(WsFrame.text("end"));
      assertEquals(expected, inboxes.get(i), "client " + i + " got everything, in order, and only its own");
    }
  }

  /**
   * A client named "stuck": a small TCP window, and it never reads; it still writes (a pong
   * every 100 ms, its own keep-alive), so the server has no heartbeat reason to close it.
   */
  private RawWebSocket openStuckClient(int port) {
    RawWebSocket stuck = track(RawWebSocket.open(port, PATH + "?name=stuck", Map.of(), 8 * 1024, DEADLINE));
    assertEquals(101, stuck.status());
    Disposable keepAlive = Flux.interval(Duration.ofMillis(100)).subscribe(tick -> {
      try {
        stuck.send(RawWebSocket.frame(RawWebSocket.PONG, "alive"));
      } catch (RuntimeException closed) {
        // the server is gone; so is the need
      }
    });
    track(keepAlive::dispose);
    return stuck;
  }

  @Test
  void aNonReadingClientIsClosedAtTheBufferCapWhileOthersKeepTheirRtt() throws Exception {
    ConnectionRegistry registry = registry().outboundBuffer(16)
        .sessionKeys(SessionKeyPolicy.manyPerKey(SessionKeyPolicy.queryParam("name"))).build();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ServerMetrics.bind(registry, meters);
    ServerHandle server = start(registry);
    // The stuck client: never reads, but keeps itself alive, so only its full buffer can close it.
    RawWebSocket stuck = openStuckClient(server.port());
    BlockingQueue<WsFrame> inbox = new LinkedBlockingQueue<>();
    HeartbeatConnection healthy = connect(server.port(), PATH + "?name=healthy");
    healthy.receive().subscribe(inbox::add, error -> { });
    await(() -> figures(registry), () -> registry.sessions("stuck").size() == 1 && registry.sessions("healthy").size() == 1);
    ServerSession stuckSession = registry.sessions("stuck").get(0);
    List<Duration> healthyRtts = new CopyOnWriteArrayList<>();
    registry.sessions("healthy").get(0).events()
        .subscribe(event -> {
          if (event instanceof HeartbeatEvent.Answered answered) {
            healthyRtts.add(answered.rtt());
          }
        });

    // Push in step with the healthy reader: its buffer never holds more than one message, the
    // stuck one's fills (socket buffers first, large messages so that they fill fast).
    String filler = "x".repeat(16 * 1024);
    int limit = 5_000;
    int pushed = 0;
    while (stuckSession.isOpen() && pushed < limit) {
      WsFrame message = WsFrame.text(pushed + ":" + filler);
      registry.broadcast(message);
      WsFrame received = inbox.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      assertTrue(message.equals(received), "the reader got message " + pushed + " in order");
      pushed++;
    }
    assertTrue(pushed < limit, "the stuck client was closed at its buffer cap, not after " + pushed + " messages");
    CloseStatus closed = stuckSession.onClose().block(DEADLINE);
    assertNotNull(closed, "the stuck connection ended");
    assertEquals(1008, closed.code(), "closed for policy: " + closed);
    assertTrue(closed.reason().startsWith("outbound buffer full"), closed.reason());
    await(() -> figures(registry), () -> closedMeter(meters, CloseCause.POLICY) == 1.0 && registry.active() == 1);
    assertEquals(1, registry.snapshot().closed(CloseCause.POLICY));
    assertTrue(registry.snapshot().droppedMessages() >= 1, "the message that did not fit is counted");

    // The healthy one kept its heartbeat all along, and goes on.
    await(() -> "rtts " + healthyRtts, () -> healthyRtts.size() >= 3);
    Duration interval = policy().interval();
    assertTrue(healthyRtts.stream().allMatch(rtt -> rtt.compareTo(interval) < 0), "RTTs below the interval: " + healthyRtts);
    assertTrue(healthy.isOpen());
    assertEquals(PeerState.HEALTHY, healthy.state());
    assertEquals(null, inbox.poll(), "nothing but what was pushed");
    WsFrame after = WsFrame.text("after");
    assertEquals(1, registry.broadcast(after));
    assertEquals(after, inbox.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));

    // The stuck client's socket ends too, once it reads: whatever reached it, then the end.
    CloseStatus atClient = drainToEnd(stuck);
    assertTrue(atClient == null || atClient.code() == 1008, "a close frame, if one got through, says 1008: " + atClient);
  }

  @Test
  void inDropModeANonReadingClientLosesOnlyWhatDidNotFitAndEveryLossIsCounted() throws Exception {
    ConnectionRegistry registry = registry().outboundBuffer(16).slowConsumer(SlowConsumerAction.DROP)
        .sessionKeys(SessionKeyPolicy.manyPerKey(SessionKeyPolicy.queryParam("name"))).build();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ServerMetrics.bind(registry, meters);
    ServerHandle server = start(registry);
    RawWebSocket stuck = openStuckClient(server.port());
    BlockingQueue<WsFrame> inbox = new LinkedBlockingQueue<>();
    HeartbeatConnection healthy = connect(server.port(), PATH + "?name=healthy");
    healthy.receive().subscribe(inbox::add, error -> { });
    await(() -> figures(registry), () -> registry.sessions("stuck").size() == 1 && registry.sessions("healthy").size() == 1);
    ServerSession stuckSession = registry.sessions("stuck").get(0);

    String filler = "x".repeat(16 * 1024);
    List<Integer> queuedForStuck = new ArrayList<>();
    int drops = 0;
    int pushed = 0;
    while (drops < 20 && pushed < 5_000) {
      WsFrame message = WsFrame.text(pushed + ":" + filler);
      int queued = registry.broadcast(message);
      if (queued == 2) {
        queuedForStuck.add(pushed);
      } else {
        drops++;
      }
      assertTrue(message.equals(inbox.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)), "the reader got message " + pushed);
      pushed++;
    }
    assertEquals(20, drops, "the stuck client's buffer filled within " + pushed + " messages");
    assertTrue(stuckSession.isOpen(), "kept open");
    assertEquals(20, registry.snapshot().droppedMessages(), "every message that did not fit is counted");
    assertEquals(20.0, meters.get("heartbeat.messages.dropped").counter().count());
    assertEquals(0, registry.snapshot().totalClosed());

    // Once it reads again it gets what fit, in order: nothing but the dropped ones is missing.
    List<Integer> received = new ArrayList<>();
    while (received.size() < queuedForStuck.size()) {
      RawWebSocket.Frame frame = stuck.read();
      if (frame.opcode() == RawWebSocket.TEXT) {
        String text = frame.text();
        received.add(Integer.parseInt(text.substring(0, text.indexOf(':'))));
      } else if (frame.opcode() == RawWebSocket.PING) {
        stuck.send(new RawWebSocket.Frame(RawWebSocket.PONG, frame.payload()));
      }
    }
    assertEquals(queuedForStuck, received);
    assertTrue(stuckSession.isOpen() && healthy.isOpen());
  }

  /** Reads {@code ws} to its end; returns the close frame's status if one arrived. */
  private static @Nullable CloseStatus drainToEnd(RawWebSocket ws) {
    try {
      while (true) {
        RawWebSocket.Frame frame = ws.read();
        if (frame.opcode() == RawWebSocket.CLOSE) {
          return CloseStatus.received(frame.closeCode(), "");
        }
      }
    } catch (EOFException | SocketException ended) {
      return null;
    } catch (IOException e) {
      throw new AssertionError("the server never ended the connection", e);
    }
  }

  // ------------------------------------------------------------------ shutdown

  @Test
  void shutdownSends1001ToAll() {
    ConnectionRegistry registry = registry().build();
    ServerHandle server = start(registry);
    List<HeartbeatConnection> all = connectMany(5, server.port(), PATH);
    await(() -> figures(registry), () -> registry.active() == 5);

    CloseStatus goingAway = CloseStatus.of(1001, "restarting; reconnect in 1-5 s");
    registry.shutdown(goingAway, Duration.ofSeconds(5)).block(DEADLINE);
    for (HeartbeatConnection client : all) {
      CloseStatus seen = client.onClose().block(DEADLINE);
      assertNotNull(seen);
      assertEquals(1001, seen.code());
      assertEquals("restarting; reconnect in 1-5 s", seen.reason());
    }
    assertFalse(registry.isAccepting());
    await(() -> figures(registry), () -> registry.active() == 0 && registry.snapshot().closed(CloseCause.SHUTDOWN) == 5);

    // A late client is closed with 1001 at once, never registered.
    CloseStatus late = connectLater(server.port(), PATH, Map.of())
        .flatMap(WebSocketConnection::onClose)
        .block(DEADLINE);
    assertNotNull(late);
    assertEquals(1001, late.code(), "no new connection while shutting down: " + late);
    assertEquals(5, registry.snapshot().totalOpened());
  }

  @Test
  void theHeartbeatOnTheWireIsAFinalUnmaskedPingWithNoPayloadEveryTime() throws IOException {
    ConnectionRegistry registry = registry().build();
    ServerHandle server = start(registry);
    RawWebSocket client = track(RawWebSocket.open(server.port(), PATH, Map.of(), 0, DEADLINE));
    assertEquals(101, client.status());

    // read() refuses a masked frame or RSV bits; a transport may write a server's pings from
    // bytes encoded once, so two in a row must both be whole.
    for (int ping = 0; ping < 2; ping++) {
      RawWebSocket.Frame frame = client.read();
      while (frame.opcode() != RawWebSocket.PING) {
        frame = client.read();
      }
      assertTrue(frame.fin(), "a control frame is never fragmented");
      assertEquals(0, frame.payload().length, "the ping-frame heartbeat carries nothing");
      client.send(new RawWebSocket.Frame(RawWebSocket.PONG, frame.payload()));
    }
    assertEquals(1, registry.active(), "answered, so still open");
  }

  @Test
  void aTextMessageThatIsNotUtf8IsNeverDeliveredAndClosesWith1007() throws IOException {
    ConnectionRegistry registry = registry().build();
    ServerHandle server = start(registry); // an echo: whatever reaches the handler comes back
    RawWebSocket client = track(RawWebSocket.open(server.port(), PATH, Map.of(), 0, DEADLINE));
    assertEquals(101, client.status());
    // U+FFFD itself is good UTF-8 (EF BF BD): a transport that looks for it must not refuse it.
    client.send(RawWebSocket.frame(RawWebSocket.TEXT, "fine \uFFFD"));
    RawWebSocket.Frame frame = client.read();
    while (frame.opcode() != RawWebSocket.TEXT) {
      frame = client.read();
    }
    assertEquals("fine \uFFFD", frame.text());

    // A lead byte followed by ASCII, then a good message the server must not read past it.
    client.send(new RawWebSocket.Frame(RawWebSocket.TEXT, new byte[] {'b', 'a', 'd', (byte) 0xC3, '('}),
        RawWebSocket.frame(RawWebSocket.TEXT, "after"));
    List<String> echoed = new ArrayList<>();
    frame = client.read();
    while (frame.opcode() != RawWebSocket.CLOSE) {
      if (frame.opcode() == RawWebSocket.TEXT) {
        echoed.add(frame.text());
      }
      frame = client.read();
    }
    assertEquals(1007, frame.closeCode(), "RFC 6455 §8.1: invalid UTF-8 in a text message");
    assertEquals(List.of(), echoed, "neither the bad message nor the one after it reached the handler");
  }

  @Test
  void aHandleShutdownClosesThePortBeforeAnyClientHears1001() throws IOException {
    ConnectionRegistry registry = registry().build();
    ServerHandle server = start(registry);
    int port = server.port();
    // A client that reads the 1001 but never answers it: the close handshake cannot end early.
    RawWebSocket client = track(RawWebSocket.open(port, PATH, Map.of(), 0, DEADLINE));
    assertEquals(101, client.status());
    await(() -> figures(registry), () -> registry.active() == 1);

    Mono<Void> shutdown = server.shutdown().cache();
    shutdown.subscribe(null, error -> { });
    RawWebSocket.Frame frame = client.read();
    while (frame.opcode() != RawWebSocket.CLOSE) {
      frame = client.read(); // the server's pings, unanswered
    }
    assertEquals(1001, frame.closeCode());
    // The listening socket was gone before the 1001 left: a client that reconnects at once is
    // refused by TCP and waits out its backoff, not upgraded and turned away by a leaving server.
    assertRefused(port);
    shutdown.block(DEADLINE);
  }

  @Test
  void stopAcceptingClosesThePortAndLeavesConnectionsOpenForTheRegistryToClose() throws InterruptedException {
    ConnectionRegistry registry = registry().build();
    ServerHandle server = start(registry);
    int port = server.port();
    HeartbeatConnection client = connect(port, PATH);
    await(() -> figures(registry), () -> registry.active() == 1);

    server.stopAccepting().block(DEADLINE);
    assertRefused(port);
    BlockingQueue<WsFrame> inbox = new LinkedBlockingQueue<>();
    client.receive().subscribe(inbox::add, error -> { }); // reading on: a cancelled receive() closes with 1000
    client.send(Mono.just(WsFrame.text("still here"))).block(DEADLINE);
    assertEquals(WsFrame.text("still here"), inbox.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS),
        "the open connection still works");

    registry.shutdown(CloseStatus.GOING_AWAY.withReason("deploy"), DEADLINE).block(DEADLINE);
    CloseStatus seen = client.onClose().block(DEADLINE);
    assertEquals(CloseStatus.GOING_AWAY.withReason("deploy"), seen);
    await(() -> figures(registry), () -> registry.snapshot().closed(CloseCause.SHUTDOWN) == 1);
    server.shutdown().block(DEADLINE);
  }

  /** A plain TCP connect to {@code port} is refused: nothing listens there. */
  private static void assertRefused(int port) {
    assertThrows(ConnectException.class, () -> {
      try (Socket reconnect = new Socket()) {
        reconnect.connect(new InetSocketAddress("127.0.0.1", port), (int) DEADLINE.toMillis());
      }
    });
  }

  @Test
  void aPortIsFreeTheMomentShutdownCompletes() throws IOException {
    // A restart on the same port binds right after shutdown. The JDK closes a listening socket
    // registered with a selector only when that selector runs again (JDK-8198562), so a
    // shutdown that does not wait for it leaves the port taken for a few ms: before the Vert.x
    // handle waited, about 1 restart in 5 failed with "Address already in use".
    for (int round = 0; round < 40; round++) {
      ConnectionRegistry registry = registry().build();
      ServerHandle server = serverTransport(HandshakeCheck.acceptAll())
          .start(registry.handler(session -> session.send(session.receive())))
          .block(DEADLINE);
      assertNotNull(server, "the server started");
      int port = server.port();
      try {
        if (round % 2 == 0) { // with a connection to close, and without
          connect(port, PATH);
          await(() -> figures(registry), () -> registry.active() == 1);
        }
      } finally {
        server.shutdown().block(DEADLINE);
      }
      try (ServerSocket restart = new ServerSocket()) {
        restart.setReuseAddress(true); // as servers bind: a connection in TIME_WAIT does not hold the port
        restart.bind(new InetSocketAddress("127.0.0.1", port));
      } catch (BindException taken) {
        throw new AssertionError("round " + round + ": port " + port + " still taken after shutdown completed", taken);
      }
    }
  }

  // ------------------------------------------------------------------ handshake checks

  @Test
  void aForgedOrLookalikeOriginGets403AndNoUpgrade() {
    ConnectionRegistry registry = registry().build();
    ServerHandle server = start(registry, HandshakeCheck.allowOrigins(List.of("https://chat.example.com")));
    for (String forged : List.of("https://chat.example.com.evil.io", "http://chat.example.com",
        "https://evil-chat.example.com", "https://chat.example.com:8443", "https://chat.example.co", "null")) {
      assertEquals(403, RawWebSocket.upgradeStatus(server.port(), PATH, Map.of("Origin", forged), DEADLINE),
          "Origin " + forged);
    }
    assertEquals(0, registry.snapshot().totalOpened(), "no refused request reached the registry");

    try (RawWebSocket exact = RawWebSocket.open(server.port(), PATH, Map.of("Origin", "https://chat.example.com"), 0, DEADLINE);
        RawWebSocket noOrigin = RawWebSocket.open(server.port(), PATH, Map.of(), 0, DEADLINE)) {
      assertEquals(101, exact.status(), "the allowed origin is upgraded");
      assertEquals(101, noOrigin.status(), "a non-browser client (no Origin) is upgraded");
      await(() -> figures(registry), () -> registry.snapshot().totalOpened() == 2);
    }
    HeartbeatConnection browser = connect(server.port(), PATH, Map.of("Origin", "https://chat.example.com"));
    browser.send(Mono.just(WsFrame.text("hi"))).block(DEADLINE);
    StepVerifier.create(browser.receive().take(1)).expectNext(WsFrame.text("hi")).expectComplete().verify(DEADLINE);
  }

  @Test
  void missingAuthGets401AndBadAuthGets403() {
    ConnectionRegistry registry = registry().build();
    ServerHandle server = start(registry, HandshakeCheck.bearerToken(token -> Mono.just(token.equals("s3cret"))));
    int port = server.port();
    assertEquals(401, RawWebSocket.upgradeStatus(port, PATH, Map.of(), DEADLINE), "no token");
    assertEquals(401, RawWebSocket.upgradeStatus(port, PATH, Map.of("Authorization", "Basic czNjcmV0"), DEADLINE),
        "no bearer token");
    assertEquals(403, RawWebSocket.upgradeStatus(port, PATH, Map.of("Authorization", "Bearer wrong"), DEADLINE), "bad token");
    assertEquals(403, RawWebSocket.upgradeStatus(port, PATH + "?access_token=wrong", Map.of(), DEADLINE), "bad query token");
    assertEquals(0, registry.snapshot().totalOpened(), "no refused request reached the registry");

    for (HeartbeatConnection client : List.of(
        connect(port, PATH, Map.of("Authorization", "Bearer s3cret")),
        connect(port, PATH + "?access_token=s3cret", Map.of()))) {
      client.send(Mono.just(WsFrame.text("authenticated"))).block(DEADLINE);
      StepVerifier.create(client.receive().take(1)).expectNext(WsFrame.text("authenticated")).expectComplete().verify(DEADLINE);
    }
    assertEquals(2, registry.snapshot().totalOpened());
  }

  @Test
  void composedChecksAnswerWithTheFirstRefusal() {
    ConnectionRegistry registry = registry().build();
    HandshakeCheck check = HandshakeCheck.allowOrigins(List.of("https://chat.example.com"))
        .and(HandshakeCheck.bearerToken(token -> Mono.just(token.equals("s3cret"))));
    int port = start(registry, check).port();
    assertEquals(403, RawWebSocket.upgradeStatus(port, PATH,
        Map.of("Origin", "https://chat.example.com.evil.io", "Authorization", "Bearer s3cret"), DEADLINE));
    assertEquals(401, RawWebSocket.upgradeStatus(port, PATH, Map.of("Origin", "https://chat.example.com"), DEADLINE));
    try (RawWebSocket ok = RawWebSocket.open(port, PATH,
        Map.of("Origin", "https://chat.example.com", "Authorization", "Bearer s3cret"), 0, DEADLINE)) {
      assertEquals(101, ok.status());
    }
  }

  @Test
  void expiredCredentialsCloseWithTheConfiguredCode() {
    for (CloseStatus status : List.of(CloseStatus.POLICY_VIOLATION.withReason("credentials expired"),
        CloseStatus.of(4401, "token expired"))) {
      ConnectionRegistry registry = registry()
          .expireAfter(handshake -> handshake.uri().getQuery().contains("ttl=short") ? Duration.ofMillis(500) : null, status)
          .build();
      ServerHandle server = start(registry);
      HeartbeatConnection shortLived = connect(server.port(), PATH + "?ttl=short");
      HeartbeatConnection longLived = connect(server.port(), PATH + "?ttl=long");
      CloseStatus seen = shortLived.onClose().block(DEADLINE);
      assertNotNull(seen);
      assertEquals(status.code(), seen.code(), "expired: " + seen);
      assertEquals(status.reason(), seen.reason());
      await(() -> figures(registry), () -> registry.active() == 1 && registry.snapshot().totalClosed() == 1);
      assertTrue(longLived.isOpen(), "credentials without expiry stay");
      assertEquals(1, registry.snapshot().closed(CloseCause.POLICY), "an expiry is a policy close: " + figures(registry));
    }
  }

  // ------------------------------------------------------------------ rate limits

  @Test
  void aPingFloodIsAnsweredAtABoundedRate() throws IOException {
    int max = 5;
    HeartbeatPolicy policy = HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames())
        .interval(Duration.ofMillis(500)).timeout(Duration.ofSeconds(3)).maxAnswersPerInterval(max).build();
    ConnectionRegistry registry = ConnectionRegistry.builder(policy).build();
    ServerHandle server = start(registry);
    RawWebSocket flooder = track(RawWebSocket.open(server.port(), PATH, Map.of(), 0, DEADLINE));
    assertEquals(101, flooder.status());
    await(() -> figures(registry), () -> registry.active() == 1);
    ServerSession session = registry.sessions().get(0);
    List<HeartbeatEvent.PeerHeartbeat> seen = new CopyOnWriteArrayList<>();
    session.events().subscribe(event -> {
      if (event instanceof HeartbeatEvent.PeerHeartbeat heartbeat) {
        seen.add(heartbeat);
      }
    });

    int flood = 500;
    flooder.send(IntStream.range(0, flood).mapToObj(i -> RawWebSocket.frame(RawWebSocket.PING, "f" + i))
        .toArray(RawWebSocket.Frame[]::new));
    // The server's own pings share one outbound stream with its answers, in order: once two of
    // them (an interval apart) arrived after the flood was sent, every answer to it has too.
    int answers = 0;
    int serverPings = 0;
    while (serverPings < 2) {
      RawWebSocket.Frame frame = flooder.read();
      if (frame.opcode() == RawWebSocket.PONG && frame.text().startsWith("f")) {
        answers++;
      } else if (frame.opcode() == RawWebSocket.PING) {
        serverPings++;
        flooder.send(new RawWebSocket.Frame(RawWebSocket.PONG, frame.payload()));
      }
    }
    // The flood arrives within one answer window, or straddles two: never more than twice the cap.
    assertTrue(answers >= 1 && answers <= 2 * max, "answered " + answers + " of " + flood + " pings, cap " + max + " per interval");
    await(() -> seen.size() + " pings seen", () -> seen.size() >= flood);
    assertEquals(flood, seen.size(), "the server read every ping");
    assertEquals(answers, seen.stream().filter(HeartbeatEvent.PeerHeartbeat::answered).count(),
        "it answered those that arrived, and queued no other answer");

    // It stays open and healthy, and later pings are answered again.
    int asked = 0;
    boolean answered = false;
    while (!answered) {
      RawWebSocket.Frame frame = flooder.read();
      if (frame.opcode() == RawWebSocket.PING) {
        flooder.send(new RawWebSocket.Frame(RawWebSocket.PONG, frame.payload()),
            RawWebSocket.frame(RawWebSocket.PING, "later" + asked++));
      } else if (frame.opcode() == RawWebSocket.PONG && frame.text().startsWith("later")) {
        answered = true;
      }
      assertTrue(asked < 20, "no later ping answered");
    }
    assertTrue(session.isOpen());
    assertEquals(PeerState.HEALTHY, session.state());
    assertEquals(1, registry.active());
    assertEquals(0, registry.snapshot().totalClosed());
  }
}
