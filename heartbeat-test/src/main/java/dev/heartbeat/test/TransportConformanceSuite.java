package dev.heartbeat.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.Heartbeat;
import dev.heartbeat.HeartbeatConnection;
import dev.heartbeat.HeartbeatEvent;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.reconnect.ConnectionEvent;
import dev.heartbeat.reconnect.ReconnectStrategy;
import dev.heartbeat.reconnect.ReconnectingSession;
import dev.heartbeat.transport.ClientTransport;
import dev.heartbeat.transport.ServerHandle;
import dev.heartbeat.transport.ServerTransport;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * The behaviour every transport must show, over its real connections: a transport module's
 * test is a short subclass that says how to start its server and connect its client. Pairing
 * tests (a Netty client against a Vert.x server) subclass it with one transport on each side.
 *
 * <p>Real sockets run in real time, so the policies here use short intervals, and every wait
 * is a condition with a deadline ({@link #DEADLINE}), never a sleep.
 *
 * <pre>{@code
 * class NettyConformanceTest extends TransportConformanceSuite {
 *   protected ServerTransport serverTransport() { return NettyServerTransport.create(0); }
 *   protected ClientTransport clientTransport(ServerHandle server) {
 *     return NettyClientTransport.create(URI.create("ws://127.0.0.1:" + server.port() + "/ws"));
 *   }
 * }
 * }</pre>
 */
public abstract class TransportConformanceSuite {

  /** How long any condition may take to come true on a loaded 2-core machine. */
  protected static final Duration DEADLINE = Duration.ofSeconds(10);

  private final List<ServerHandle> servers = new CopyOnWriteArrayList<>();
  private final List<WebSocketConnection> clients = new CopyOnWriteArrayList<>();
  private final List<ReconnectingSession> sessions = new CopyOnWriteArrayList<>();

  /** A new server transport, bound to a free loopback port when started. */
  protected abstract ServerTransport serverTransport();

  /** A client transport that connects to {@code server}. */
  protected abstract ClientTransport clientTransport(ServerHandle server);

  /**
   * Stops {@code server} as a crash would: its connections drop without a close frame, and
   * connects are refused until {@link #restart}.
   */
  protected abstract void kill(ServerHandle server);

  /**
   * Starts a server again where {@code killed} listened (same address and port), so that
   * clients of {@code killed} reconnect to it.
   */
  protected abstract ServerHandle restart(ServerHandle killed, SessionHandler<WebSocketConnection> handler);

  /**
   * Whether this transport's connections have a {@link WebSocketConnection#frameWriter() frame
   * writer}; the in-memory transport has none.
   */
  protected boolean offersFrameWriter() {
    return true;
  }

  /** A reconnect strategy fast enough for real-time tests, seeded. */
  protected ReconnectStrategy fastReconnect() {
    return ReconnectStrategy.builder().minDelay(Duration.ofMillis(50)).maxDelay(Duration.ofMillis(400))
        .connectTimeout(Duration.ofSeconds(3)).random(new java.util.Random(1)::nextDouble).build();
  }

  /** A policy with real-time intervals short enough for tests. */
  protected HeartbeatPolicy policy(HeartbeatCodec codec) {
    return HeartbeatPolicy.builder().codec(codec)
        .interval(Duration.ofMillis(200)).timeout(Duration.ofSeconds(2)).build();
  }

  /** Starts a server running {@code handler} and remembers it for {@link #disposeAll()}. */
  protected ServerHandle start(SessionHandler<WebSocketConnection> handler) {
    ServerHandle server = serverTransport().start(handler).block(DEADLINE);
    servers.add(server);
    return server;
  }

  /** Connects a client to {@code server} and remembers it for {@link #disposeAll()}. */
  protected WebSocketConnection connect(ServerHandle server) {
    WebSocketConnection connection = clientTransport(server).connect().block(DEADLINE);
    clients.add(connection);
    return connection;
  }

  @AfterEach
  void disposeAll() {
    sessions.forEach(ReconnectingSession::close);
    for (WebSocketConnection client : clients) {
      client.close(CloseStatus.NORMAL).onErrorResume(e -> Mono.empty()).block(DEADLINE);
    }
    for (ServerHandle server : servers) {
      server.shutdown().onErrorResume(e -> Mono.empty()).block(DEADLINE);
    }
  }

  /** An echo server under {@code policy}. */
  private ServerHandle echoServer(HeartbeatPolicy policy) {
    return start(Heartbeat.handler(policy, session -> session.send(session.receive())));
  }

  static Stream<Arguments> codecs() {
    return Stream.of(
        Arguments.of(HeartbeatCodec.pingFrames()),
        Arguments.of(HeartbeatCodec.textPingPong()),
        Arguments.of(HeartbeatCodec.heartbeatText()),
        Arguments.of(HeartbeatCodec.json()));
  }

  @ParameterizedTest
  @MethodSource("codecs")
  void applicationMessagesPassUntouchedWhileHeartbeatsFlow(HeartbeatCodec codec) {
    ServerHandle server = echoServer(policy(codec));
    HeartbeatConnection client = Heartbeat.operator(policy(codec)).apply(connect(server));
    List<WsFrame> messages = List.of(WsFrame.text("hello"), WsFrame.binary(new byte[] {1, 2, 3}),
        WsFrame.text("{\"type\":\"chat\",\"text\":\"heartbeat\"}"), WsFrame.text("pong-ish"), WsFrame.text("last"));
    // Messages go out slowly, so that heartbeats interleave with them.
    client.send(Flux.fromIterable(messages).delayElements(Duration.ofMillis(150))).subscribe(null, closedFirst -> { }); // may race the close: the contract errors it
    StepVerifier.create(client.receive().take(messages.size()))
        .expectNextSequence(messages)
        .expectComplete().verify(DEADLINE);
  }

  @ParameterizedTest
  @MethodSource("codecs")
  void heartbeatsAreAnsweredInEveryCodec(HeartbeatCodec codec) {
    ServerHandle server = echoServer(policy(codec));
    HeartbeatConnection client = Heartbeat.operator(policy(codec)).apply(connect(server));
    boolean answers = codec.answer(codec.heartbeat()) != null;
    // With answers, the client measures round trips; without, it still hears the server's heartbeats.
    StepVerifier.create(client.events()
            .filter(e -> answers ? e instanceof HeartbeatEvent.Answered : e instanceof HeartbeatEvent.PeerHeartbeat)
            .take(2))
        .expectNextCount(2)
        .expectComplete()
        .verify(DEADLINE);
    if (answers) {
      assertTrue(client.lastRtt() != null && client.lastRtt().compareTo(Duration.ofSeconds(1)) < 0,
          "loopback round trip: " + client.lastRtt());
    }
    assertTrue(client.isOpen());
  }

  @Test
  void idleModeSendsNoHeartbeatOnABusyConnectionFixedModeDoes() {
    for (HeartbeatPolicy.Mode mode : HeartbeatPolicy.Mode.values()) {
      // A 1 s interval against traffic every 20 ms: only a stall of a whole second could make
      // a busy connection look idle, so the result does not depend on the machine's speed.
      HeartbeatPolicy policy = HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames())
          .interval(Duration.ofSeconds(1)).timeout(Duration.ofSeconds(5)).mode(mode).build();
      ServerHandle server = echoServer(policy);
      HeartbeatConnection client = Heartbeat.operator(policy).apply(connect(server));
      List<HeartbeatEvent> sent = new CopyOnWriteArrayList<>();
      client.events().filter(HeartbeatEvent.Sent.class::isInstance).subscribe(sent::add);
      client.send(Flux.interval(Duration.ofMillis(20)).take(75).map(i -> WsFrame.text("m" + i))).subscribe(null, closedFirst -> { });
      StepVerifier.create(client.receive().take(75)).expectNextCount(75).expectComplete().verify(DEADLINE);
      if (mode == HeartbeatPolicy.Mode.IDLE) {
        assertEquals(List.of(), sent, "idle mode: a busy connection sends no heartbeat");
      } else {
        assertTrue(sent.size() >= 1, "fixed mode: a heartbeat every second whatever the traffic, got " + sent.size());
      }
      client.close(CloseStatus.NORMAL).block(DEADLINE);
    }
  }

  static Stream<Arguments> closeStatuses() {
    return Stream.of(
        Arguments.of(CloseStatus.NORMAL),
        Arguments.of(CloseStatus.GOING_AWAY),
        Arguments.of(CloseStatus.POLICY_VIOLATION),
        Arguments.of(CloseStatus.HEARTBEAT_TIMEOUT),
        Arguments.of(CloseStatus.SUPERSEDED),
        Arguments.of(CloseStatus.of(4001, "token expired")));
  }

  @ParameterizedTest
  @MethodSource("closeStatuses")
  void theServersCloseCodeReachesTheClient(CloseStatus status) {
    ServerHandle server = start(session -> Mono.delay(Duration.ofMillis(50)).then(session.close(status)));
    WebSocketConnection client = connect(server);
    client.receive().subscribe(f -> { }, e -> { });
    CloseStatus seen = client.onClose().block(DEADLINE);
    assertEquals(status.code(), seen.code());
    assertEquals(status.reason(), seen.reason());
  }

  @ParameterizedTest
  @MethodSource("closeStatuses")
  void theClientsCloseCodeReachesTheServer(CloseStatus status) {
    Sinks.One<CloseStatus> atServer = Sinks.one();
    ServerHandle server = start(session -> {
      session.receive().subscribe(f -> { }, e -> { });
      return session.onClose().doOnNext(atServer::tryEmitValue).then();
    });
    WebSocketConnection client = connect(server);
    client.close(status).block(DEADLINE);
    CloseStatus seen = atServer.asMono().block(DEADLINE);
    assertEquals(status.code(), seen.code());
    assertEquals(status.reason(), seen.reason());
  }

  @Test
  void aHandlerThatCompletesClosesWith1000AndOneThatFailsWith1011() {
    ServerHandle completes = start(session -> Mono.empty());
    assertEquals(1000, connect(completes).onClose().block(DEADLINE).code());
    ServerHandle fails = start(session -> Mono.error(new IllegalStateException("boom")));
    assertEquals(1011, connect(fails).onClose().block(DEADLINE).code());
  }

  @Test
  void receiveAllowsOneSubscriber() {
    ServerHandle server = start(session -> session.onClose().then());
    WebSocketConnection client = connect(server);
    client.receive().subscribe(f -> { }, e -> { });
    StepVerifier.create(client.receive()).expectError(IllegalStateException.class).verify(DEADLINE);
  }

  @Test
  void shutdownClosesEveryConnectionWith1001() {
    ServerHandle server = echoServer(policy(HeartbeatCodec.pingFrames()));
    List<WebSocketConnection> clients = List.of(connect(server), connect(server), connect(server));
    clients.forEach(c -> c.receive().subscribe(f -> { }, e -> { }));
    server.shutdown().block(DEADLINE);
    for (WebSocketConnection client : clients) {
      assertEquals(1001, client.onClose().block(DEADLINE).code());
    }
  }

  @Test
  void aServerHeartbeatTimeoutReachesTheClientAs4408() {
    // The client's side answers nothing and sends nothing: only a bare connection that is never read.
    HeartbeatPolicy strict = HeartbeatPolicy.builder().codec(HeartbeatCodec.textPingPong())
        .interval(Duration.ofMillis(100)).timeout(Duration.ofMillis(400)).build();
    ServerHandle server = start(Heartbeat.handler(strict, session -> session.receive().then()));
    WebSocketConnection client = connect(server);
    @Nullable CloseStatus seen = client.onClose().block(DEADLINE);
    assertEquals(4408, seen.code(), "the peer reads the heartbeat-timeout code, not 1005 or 1006");
  }
  @Test
  void theFrameWriterWritesInCallOrderFromAnyThreadAndNothingAfterTheClose() {
    Sinks.Many<WsFrame> atServer = Sinks.many().replay().all();
    Sinks.One<CloseStatus> closedAtServer = Sinks.one();
    ServerHandle server = start(session -> {
      session.onClose().subscribe(closedAtServer::tryEmitValue);
      return session.receive().doOnNext(atServer::tryEmitNext).doOnTerminate(atServer::tryEmitComplete).then();
    });
    WebSocketConnection client = connect(server);
    client.receive().subscribe(f -> { }, e -> { });
    Consumer<WsFrame> writer = client.frameWriter();
    if (!offersFrameWriter()) {
      assertNull(writer);
      return;
    }
    assertNotNull(writer);
    assertSame(writer, client.frameWriter(), "the same writer every time");
    // Each round: the loop is held in a task of its own while this thread writes a frame, which
    // must wait for the loop; then the loop writes one. The loop's frame was written second, so
    // it must not overtake the waiting one.
    int rounds = 100;
    int count = 2 * rounds;
    List<WsFrame> expected = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      WsFrame first = WsFrame.text("from another thread " + i);
      WsFrame second = i % 2 == 0 ? WsFrame.ping(new byte[] {(byte) i}) : WsFrame.text("from the loop " + i);
      expected.add(first);
      expected.add(second);
      CountDownLatch loopHeld = new CountDownLatch(1);
      CountDownLatch firstWritten = new CountDownLatch(1);
      CompletableFuture<Void> onLoop = Mono.<Void>fromRunnable(() -> {
        loopHeld.countDown();
        awaitLatch(firstWritten);
        writer.accept(second);
      }).subscribeOn(client.scheduler()).toFuture();
      awaitLatch(loopHeld);
      writer.accept(first);
      firstWritten.countDown();
      onLoop.join();
    }
    StepVerifier.create(atServer.asFlux().take(count)).expectNextSequence(expected).expectComplete().verify(DEADLINE);

    client.close(CloseStatus.NORMAL).subscribe(null, e -> { });
    writer.accept(WsFrame.text("after the close")); // dropped: nothing may follow a close frame
    assertEquals(1000, closedAtServer.asMono().block(DEADLINE).code(), "a clean close, no protocol error");
    StepVerifier.create(atServer.asFlux().skip(count)).expectComplete().verify(DEADLINE);
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      assertTrue(latch.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS), "latch");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A reconnecting session on {@code server} with heartbeats, remembered for {@link #disposeAll()}. */
  private ReconnectingSession session(ServerHandle server, HeartbeatPolicy policy, List<ConnectionEvent> events) {
    ReconnectingSession session = ReconnectingSession.builder(clientTransport(server))
        .strategy(fastReconnect())
        .decorator(Heartbeat.operator(policy))
        .build();
    sessions.add(session);
    session.events().subscribe(events::add);
    return session;
  }

  @Test
  void aClientReconnectsAfterTheServerIsKilledAndRestarted() {
    HeartbeatPolicy policy = policy(HeartbeatCodec.pingFrames());
    SessionHandler<WebSocketConnection> echo = Heartbeat.handler(policy, s -> s.send(s.receive()));
    ServerHandle server = start(echo);
    List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
    ReconnectingSession session = session(server, policy, events);
    Sinks.Many<WsFrame> inbound = Sinks.many().replay().all();
    session.receive().subscribe(inbound::tryEmitNext);
    session.start();
    session.send(WsFrame.text("before")).block(DEADLINE);
    StepVerifier.create(inbound.asFlux().take(1)).expectNext(WsFrame.text("before")).expectComplete().verify(DEADLINE);

    kill(server);
    StepVerifier.create(session.events().filter(e -> e instanceof ConnectionEvent.ReconnectScheduled).take(2))
        .expectNextCount(2) // the drop, then at least one refused connect while the server is down
        .expectComplete()
        .verify(DEADLINE);
    ServerHandle restarted = restart(server, echo);
    servers.add(restarted);
    session.send(WsFrame.text("after")).block(DEADLINE);
    StepVerifier.create(inbound.asFlux().take(2)).expectNext(WsFrame.text("before"), WsFrame.text("after"))
        .expectComplete().verify(DEADLINE);
    assertTrue(events.stream().anyMatch(e -> e instanceof ConnectionEvent.Disconnected d
        && d.willReconnect() && d.status().code() == 1006), "the crash is reported as 1006: " + events);
    assertEquals(2, events.stream().filter(ConnectionEvent.Connected.class::isInstance).count(), events.toString());
  }

  @Test
  void aClientDoesNotReconnectAfterBeingSupersededWith4500() {
    AtomicInteger accepted = new AtomicInteger();
    ServerHandle server = start(s -> {
      accepted.incrementAndGet();
      return Mono.delay(Duration.ofMillis(50)).then(s.close(CloseStatus.SUPERSEDED));
    });
    List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
    ReconnectingSession session = session(server, policy(HeartbeatCodec.pingFrames()), events);
    session.receive().subscribe(f -> { }, e -> { });
    session.start();
    session.onTerminate().block(DEADLINE);
    ConnectionEvent last = events.get(events.size() - 1);
    ConnectionEvent.Disconnected disconnected = org.junit.jupiter.api.Assertions.assertInstanceOf(
        ConnectionEvent.Disconnected.class, last, events.toString());
    assertEquals(4500, disconnected.status().code());
    assertTrue(!disconnected.willReconnect());
    assertEquals(1, accepted.get(), "one connection, no reconnect");
    assertTrue(events.stream().noneMatch(ConnectionEvent.ReconnectScheduled.class::isInstance), events.toString());
  }
}
