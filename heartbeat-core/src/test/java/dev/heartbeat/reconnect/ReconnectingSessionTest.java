package dev.heartbeat.reconnect;

import dev.heartbeat.ControlledScheduler;
import dev.heartbeat.ForwardingConnection;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.HeartbeatTimeoutException;
import dev.heartbeat.ReconnectExhaustedException;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.local.LocalClientTransport;
import dev.heartbeat.local.LocalConnectionPair;
import dev.heartbeat.local.LocalServerTransport;
import dev.heartbeat.reconnect.ConnectionEvent.Closed;
import dev.heartbeat.reconnect.ConnectionEvent.Connected;
import dev.heartbeat.reconnect.ConnectionEvent.Connecting;
import dev.heartbeat.reconnect.ConnectionEvent.Disconnected;
import dev.heartbeat.reconnect.ConnectionEvent.GaveUp;
import dev.heartbeat.reconnect.ConnectionEvent.MessageDropped;
import dev.heartbeat.reconnect.ConnectionEvent.ReconnectScheduled;
import dev.heartbeat.transport.HandshakeInfo;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.test.util.RaceTestUtils;

class ReconnectingSessionTest {

  private static final Duration NS = Duration.ofNanos(1);

  /** An event and the virtual instant it happened at. */
  record At(Duration time, ConnectionEvent event) {}

  private VirtualTimeScheduler vts;
  private ControlledScheduler clock;
  private LocalServerTransport server;
  private LocalClientTransport client;
  private final List<WsFrame> serverReceived = new CopyOnWriteArrayList<>();
  private final List<CloseStatus> serverCloses = new CopyOnWriteArrayList<>();
  private final List<At> events = new CopyOnWriteArrayList<>();
  private final AtomicBoolean eventsCompleted = new AtomicBoolean();
  private final List<WsFrame> inbound = new CopyOnWriteArrayList<>();
  private final AtomicBoolean inboundCompleted = new AtomicBoolean();
  private final AtomicReference<@Nullable Throwable> inboundError = new AtomicReference<>();
  private final List<Throwable> droppedErrors = new CopyOnWriteArrayList<>();
  private @Nullable ReconnectingSession session;

  @BeforeEach
  void setUp() {
    Hooks.onErrorDropped(droppedErrors::add);
    newWorld();
  }

  @AfterEach
  void tearDown() {
    if (session != null) {
      session.close();
    }
    Hooks.resetOnErrorDropped();
    assertEquals(List.of(), droppedErrors, "no error may be dropped");
  }

  private void newWorld() {
    vts = VirtualTimeScheduler.create();
    clock = new ControlledScheduler(vts);
    server = LocalServerTransport.create(clock);
    client = LocalClientTransport.create(server, clock);
    serverReceived.clear();
    serverCloses.clear();
    events.clear();
    eventsCompleted.set(false);
    inbound.clear();
    inboundCompleted.set(false);
    inboundError.set(null);
  }

  private final SessionHandler<WebSocketConnection> recordingHandler = connection -> {
    connection.onClose().subscribe(serverCloses::add);
    return connection.receive().doOnNext(serverReceived::add).then();
  };

  private void startServer() {
    server.start(recordingHandler).block(Duration.ofSeconds(5));
  }

  /** Doubling delays (1, 2, 4, 8 s without jitter), so the expected instants are easy to read. */
  private ReconnectStrategy.Builder strategy() {
    return ReconnectStrategy.builder().multiplier(2).scheduler(clock).random(new Random(42)::nextDouble);
  }

  private ReconnectingSession.Builder builder() {
    return ReconnectingSession.builder(client).strategy(strategy().build());
  }

  /** Builds, subscribes events and inbound (recording), does not start. */
  private ReconnectingSession open(ReconnectingSession.Builder builder) {
    ReconnectingSession s = builder.build();
    session = s;
    s.events().subscribe(e -> events.add(new At(now(), e)), e -> { }, () -> eventsCompleted.set(true));
    s.receive().subscribe(inbound::add, inboundError::set, () -> inboundCompleted.set(true));
    return s;
  }

  private ReconnectingSession started(ReconnectingSession.Builder builder) {
    return open(builder).start();
  }

  private Duration now() {
    return Duration.ofNanos(vts.now(TimeUnit.NANOSECONDS));
  }

  private void advance(Duration by) {
    vts.advanceTimeBy(by);
  }

  private LocalConnectionPair onlyConnection() {
    List<LocalConnectionPair> live = server.connections();
    assertEquals(1, live.size(), "open connections on the server");
    return live.get(0);
  }

  private void serverSends(String... texts) {
    onlyConnection().server().send(Flux.fromArray(texts).map(WsFrame::text)).subscribe();
    vts.advanceTime();
  }

  private void serverCloses(CloseStatus status) {
    onlyConnection().server().close(status).subscribe();
    vts.advanceTime();
  }

  private void send(ReconnectingSession s, String... texts) {
    for (String text : texts) {
      StepVerifier.create(s.send(WsFrame.text(text))).verifyComplete();
    }
  }

  private List<ConnectionEvent> eventList() {
    return events.stream().map(At::event).collect(Collectors.toList());
  }

  private <T extends ConnectionEvent> List<T> eventsOf(Class<T> type) {
    return events.stream().map(At::event).filter(type::isInstance).map(type::cast).collect(Collectors.toList());
  }

  private <T extends ConnectionEvent> Duration timeOfLast(Class<T> type) {
    At last = null;
    for (At at : events) {
      if (type.isInstance(at.event())) {
        last = at;
      }
    }
    assertTrue(last != null, "no " + type.getSimpleName() + " in " + eventList());
    return last.time();
  }

  private ConnectionEvent lastEvent() {
    return events.get(events.size() - 1).event();
  }

  private static List<String> texts(List<WsFrame> frames) {
    return frames.stream().map(f -> ((WsFrame.Text) f).text()).collect(Collectors.toList());
  }

  private void assertEndedWithoutTimers() {
    assertTrue(eventsCompleted.get(), "events complete when the session ends");
    assertTrue(session != null && session.isDisposed());
    StepVerifier.create(session.onTerminate()).verifyComplete();
    assertEquals(0, clock.pendingTasks(), "no timer left running once the session has ended");
    int accepted = server.acceptedCount();
    advance(Duration.ofHours(1));
    assertEquals(accepted, server.acceptedCount(), "no connect after the end");
    assertEquals(0, clock.pendingTasks(), "no timer left running");
  }

  // ------------------------------------------------------------------ connect and receive

  @Test
  void connectsAndReceivesFrames() {
    startServer();
    started(builder());

    assertEquals(new Connecting(0), eventList().get(0));
    Connected connected = assertInstanceOf(Connected.class, eventList().get(1));
    assertEquals(0, connected.attempt());
    assertTrue(connected.connection().isOpen());

    serverSends("a", "b");
    assertEquals(List.of("a", "b"), texts(inbound));
    assertEquals(1, server.acceptedCount());
  }

  @Test
  void sendsFramesInOrderWhileConnected() {
    startServer();
    ReconnectingSession s = started(builder());
    send(s, "1", "2", "3");
    vts.advanceTime();
    assertEquals(List.of("1", "2", "3"), texts(serverReceived));
    assertEquals(0, s.queuedCount());
  }

  @Test
  void aSecondReceiveSubscriberIsRejected() {
    startServer();
    ReconnectingSession s = started(builder());
    StepVerifier.create(s.receive()).expectError(IllegalStateException.class).verify(Duration.ofSeconds(5));
    serverSends("still mine");
    assertEquals(List.of("still mine"), texts(inbound), "the first subscriber is unaffected");
  }

  // ------------------------------------------------------------------ reconnects

  @Test
  void serverKillLeadsToDisconnectedThenScheduledThenConnectedAtTheRightInstant() {
    startServer();
    ReconnectingSession s = started(builder());
    serverSends("a");
    events.clear();

    server.kill();
    startServer();

    assertEquals(new Disconnected(CloseStatus.ABNORMAL, null, true), eventList().get(0));
    ReconnectScheduled scheduled = assertInstanceOf(ReconnectScheduled.class, eventList().get(1));
    assertEquals(1, scheduled.attempt());
    Duration delay = scheduled.delay();
    assertTrue(delay.compareTo(Duration.ofMillis(500)) >= 0 && delay.compareTo(Duration.ofSeconds(1)) <= 0,
        delay.toString());
    assertEquals(2, events.size());

    advance(delay.minus(NS));
    assertEquals(2, events.size(), "nothing before the delay has passed: " + eventList());
    advance(NS);
    assertEquals(List.of(new Connecting(1)), eventList().subList(2, 3));
    Connected connected = assertInstanceOf(Connected.class, eventList().get(3));
    assertEquals(1, connected.attempt());
    assertEquals(delay, timeOfLast(Connected.class));

    serverSends("b");
    assertEquals(List.of("a", "b"), texts(inbound), "one inbound subscription across connections");
    assertFalse(inboundCompleted.get());
    assertNull(inboundError.get());
    assertFalse(s.isDisposed());
  }

  @ParameterizedTest
  @ValueSource(ints = {1000, 1001, 1011, 1012, 4408})
  void serverClosesThatAreNotTerminalLeadToAReconnect(int code) {
    startServer();
    started(builder());
    events.clear();

    serverCloses(CloseStatus.of(code));
    Disconnected disconnected = assertInstanceOf(Disconnected.class, eventList().get(0));
    assertEquals(code, disconnected.status().code());
    assertTrue(disconnected.willReconnect());
    assertInstanceOf(ReconnectScheduled.class, eventList().get(1));

    advance(Duration.ofSeconds(1));
    assertEquals(2, server.acceptedCount());
    assertEquals(1, eventsOf(Connected.class).size());
  }

  @Test
  void tryAgainLaterWaitsTheRetryLaterDelay() {
    startServer();
    started(builder().strategy(strategy().jitter(0).retryLaterDelay(Duration.ofSeconds(20)).build()));
    events.clear();

    serverCloses(CloseStatus.TRY_AGAIN_LATER);
    assertEquals(new ReconnectScheduled(1, Duration.ofSeconds(20)), eventList().get(1));
    advance(Duration.ofSeconds(20).minus(NS));
    assertEquals(1, server.acceptedCount());
    advance(NS);
    assertEquals(2, server.acceptedCount());
    assertEquals(Duration.ofSeconds(20), timeOfLast(Connected.class));
  }

  @ParameterizedTest
  @ValueSource(ints = {1008, 4500})
  void terminalClosesEndTheSessionWithoutReconnect(int code) {
    startServer();
    started(builder());
    serverSends("last");
    events.clear();

    serverCloses(CloseStatus.of(code, "go away"));

    assertEquals(List.of(new Disconnected(CloseStatus.received(code, "go away"), null, false)), eventList(),
        "Disconnected(willReconnect=false) is the last event");
    assertEquals(List.of("last"), texts(inbound));
    assertTrue(inboundCompleted.get(), "inbound completes");
    assertNull(inboundError.get());
    assertEndedWithoutTimers();
    assertEquals(1, server.acceptedCount());
  }

  @Test
  void customTerminalPredicateStopsReconnecting() {
    startServer();
    started(builder().strategy(strategy().terminalWhen((code, reason) -> reason.equals("token expired")).build()));
    events.clear();

    serverCloses(CloseStatus.of(4001, "token expired"));
    assertEquals(List.of(new Disconnected(CloseStatus.of(4001), null, false)), eventList());
    assertEndedWithoutTimers();
  }

  @Test
  void applicationCloseSendsItsStatusAndNeverReconnects() {
    startServer();
    ReconnectingSession s = started(builder());
    serverSends("a");
    events.clear();

    s.close(CloseStatus.of(4000, "bye"));
    vts.advanceTime();

    assertEquals(List.of(CloseStatus.of(4000)), serverCloses, "the server reads the application's status");
    assertEquals(List.of(new Disconnected(CloseStatus.of(4000), null, false), new Closed()), eventList());
    assertTrue(inboundCompleted.get());
    assertEquals(List.of("a"), texts(inbound));
    assertEndedWithoutTimers();
    assertEquals(1, server.acceptedCount());

    StepVerifier.create(s.send(WsFrame.text("late"))).expectError(IllegalStateException.class).verify(Duration.ofSeconds(5));
    s.close(); // idempotent
    assertEquals(2, events.size());
  }

  @Test
  void refusedConnectsAreRetriedWithGrowingDelaysUntilTheServerStarts() {
    started(builder().strategy(strategy().jitter(0).build()));
    advance(Duration.ofSeconds(7));

    assertEquals(List.of(
            new At(Duration.ZERO, new Connecting(0)),
            new At(Duration.ZERO, new ReconnectScheduled(1, Duration.ofSeconds(1))),
            new At(Duration.ofSeconds(1), new Connecting(1)),
            new At(Duration.ofSeconds(1), new ReconnectScheduled(2, Duration.ofSeconds(2))),
            new At(Duration.ofSeconds(3), new Connecting(2)),
            new At(Duration.ofSeconds(3), new ReconnectScheduled(3, Duration.ofSeconds(4))),
            new At(Duration.ofSeconds(7), new Connecting(3)),
            new At(Duration.ofSeconds(7), new ReconnectScheduled(4, Duration.ofSeconds(8)))),
        events);

    startServer();
    advance(Duration.ofSeconds(8).minus(NS));
    assertEquals(0, server.acceptedCount());
    advance(NS);
    assertEquals(1, server.acceptedCount());
    assertEquals(Duration.ofSeconds(15), timeOfLast(Connected.class));
    assertEquals(4, eventsOf(Connected.class).get(0).attempt());
  }

  @Test
  void hangingHandshakeTimesOutAndIsRetried() {
    startServer();
    server.hangHandshakes(true);
    started(builder().strategy(strategy().jitter(0).connectTimeout(Duration.ofSeconds(2)).build()));

    advance(Duration.ofSeconds(2).minus(NS));
    assertEquals(List.of(new Connecting(0)), eventList(), "waiting for the handshake");
    advance(NS);
    assertEquals(new ReconnectScheduled(1, Duration.ofSeconds(1)), lastEvent(), "timed out at 2 s");

    server.hangHandshakes(false);
    advance(Duration.ofSeconds(1));
    assertInstanceOf(Connected.class, lastEvent());
    assertEquals(Duration.ofSeconds(3), timeOfLast(Connected.class));
  }

  @Test
  void givesUpAfterMaxAttempts() {
    ReconnectingSession s = started(builder().strategy(strategy().jitter(0).maxAttempts(3).build()));
    advance(Duration.ofSeconds(7).minus(NS));
    assertFalse(s.isDisposed());
    advance(NS);

    assertEquals(List.of(new Connecting(0), new ReconnectScheduled(1, Duration.ofSeconds(1)),
        new Connecting(1), new ReconnectScheduled(2, Duration.ofSeconds(2)),
        new Connecting(2), new ReconnectScheduled(3, Duration.ofSeconds(4)),
        new Connecting(3)), eventList().subList(0, 7));
    GaveUp gaveUp = assertInstanceOf(GaveUp.class, lastEvent());
    ReconnectExhaustedException exhausted = assertInstanceOf(ReconnectExhaustedException.class, gaveUp.cause());
    assertEquals(3, exhausted.attempts());
    assertInstanceOf(ConnectException.class, exhausted.lastCause());
    assertEquals(Duration.ofSeconds(7), timeOfLast(GaveUp.class));
    assertSame(exhausted, inboundError.get(), "inbound errors with the cause");
    assertEndedWithoutTimers();
  }

  @Test
  void givingUpAfterADropReportsTheDisconnectFirst() {
    startServer();
    started(builder().strategy(strategy().jitter(0).maxAttempts(1).build()));
    server.kill();
    advance(Duration.ofSeconds(1));

    List<ConnectionEvent> tail = eventList().subList(2, eventList().size());
    assertEquals(new Disconnected(CloseStatus.ABNORMAL, null, true), tail.get(0));
    assertEquals(new ReconnectScheduled(1, Duration.ofSeconds(1)), tail.get(1));
    assertEquals(new Connecting(1), tail.get(2));
    assertInstanceOf(GaveUp.class, tail.get(3));
    assertEquals(4, tail.size());
  }

  @Test
  void backoffResetsAfterTheConnectionStayedUpForResetAfter() {
    startServer();
    started(builder().strategy(strategy().jitter(0).resetAfter(Duration.ofSeconds(30)).build()));

    server.kill();
    startServer();
    assertEquals(new ReconnectScheduled(1, Duration.ofSeconds(1)), lastEvent());
    advance(Duration.ofSeconds(1));

    server.kill(); // up for 0 s: the count goes on
    startServer();
    assertEquals(new ReconnectScheduled(2, Duration.ofSeconds(2)), lastEvent());
    advance(Duration.ofSeconds(2));

    advance(Duration.ofSeconds(29));
    server.kill(); // up for 29 s: not enough
    startServer();
    assertEquals(new ReconnectScheduled(3, Duration.ofSeconds(4)), lastEvent());
    advance(Duration.ofSeconds(4));

    advance(Duration.ofSeconds(30));
    server.kill(); // up for 30 s: starts over
    startServer();
    assertEquals(new ReconnectScheduled(1, Duration.ofSeconds(1)), lastEvent());
    advance(Duration.ofSeconds(1));
    assertEquals(5, server.acceptedCount());
    assertEquals(1, eventsOf(Connected.class).get(4).attempt());
  }

  // ------------------------------------------------------------------ decorator

  @Test
  void aReceiveErrorOfTheDecoratedConnectionLeadsToAReconnect() {
    startServer();
    List<ScriptedConnection> decorated = new CopyOnWriteArrayList<>();
    started(builder().decorator(c -> {
      ScriptedConnection scripted = new ScriptedConnection(c);
      decorated.add(scripted);
      return scripted;
    }));
    assertSame(decorated.get(0), eventsOf(Connected.class).get(0).connection(), "events carry the decorated connection");
    events.clear();

    IOException readFailure = new IOException("read failed");
    decorated.get(0).failReceive(readFailure);
    vts.advanceTime();

    assertEquals(new Disconnected(CloseStatus.INTERNAL_ERROR, readFailure, true), eventList().get(0));
    assertEquals(List.of(CloseStatus.INTERNAL_ERROR), serverCloses, "the session closed the connection it gave up on");
    advance(Duration.ofSeconds(1));
    assertEquals(2, decorated.size());
    assertEquals(2, server.acceptedCount());
    serverSends("after");
    assertEquals(List.of("after"), texts(inbound));
  }

  @Test
  void aHeartbeatTimeoutOfTheDecoratedConnectionLeadsToAReconnect() {
    startServer();
    List<ScriptedConnection> decorated = new CopyOnWriteArrayList<>();
    started(builder().decorator(c -> {
      ScriptedConnection scripted = new ScriptedConnection(c);
      decorated.add(scripted);
      return scripted;
    }));
    events.clear();

    HeartbeatPolicy policy = HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames()).build();
    decorated.get(0).heartbeatTimeout(HeartbeatTimeoutException.after(policy, 0, 90_000_000_000L));
    vts.advanceTime();

    Disconnected disconnected = assertInstanceOf(Disconnected.class, eventList().get(0));
    assertEquals(CloseStatus.HEARTBEAT_TIMEOUT, disconnected.status());
    assertTrue(disconnected.willReconnect());
    assertEquals(List.of(CloseStatus.HEARTBEAT_TIMEOUT), serverCloses);
    advance(Duration.ofSeconds(1));
    assertEquals(2, server.acceptedCount());
  }

  // ------------------------------------------------------------------ outbound queue

  @Test
  void framesSentWhileDisconnectedArriveInOrderAfterReconnect() {
    startServer();
    ReconnectingSession s = started(builder());
    send(s, "before");
    vts.advanceTime();
    server.kill();

    send(s, "q1", "q2", "q3");
    assertEquals(3, s.queuedCount());
    startServer();
    advance(Duration.ofSeconds(1));
    send(s, "after");
    vts.advanceTime();

    assertEquals(List.of("before", "q1", "q2", "q3", "after"), texts(serverReceived));
    assertEquals(0, s.queuedCount());
    assertEquals(0, s.droppedCount());
    assertTrue(eventsOf(MessageDropped.class).isEmpty());
  }

  @Test
  void framesSentBeforeStartAreFlushedOnTheFirstConnection() {
    startServer();
    ReconnectingSession s = open(builder());
    send(s, "early1", "early2");
    s.start();
    vts.advanceTime();
    assertEquals(List.of("early1", "early2"), texts(serverReceived));
  }

  @Test
  void overflowFailErrorsTheSendWithATypedException() {
    ReconnectingSession s = open(builder().offlineQueue(2, OverflowRule.FAIL));
    send(s, "a", "b");
    WsFrame c = WsFrame.text("c");
    StepVerifier.create(s.send(c))
        .expectErrorSatisfies(error -> {
          OfflineQueueFullException full = assertInstanceOf(OfflineQueueFullException.class, error);
          assertEquals(c, full.frame());
          assertEquals(2, full.capacity());
        })
        .verify(Duration.ofSeconds(5));
    assertEquals(List.of(new MessageDropped(c, DropReason.REJECTED)), eventList());
    assertEquals(1, s.droppedCount());

    startServer();
    s.start();
    vts.advanceTime();
    assertEquals(List.of("a", "b"), texts(serverReceived));
  }

  @Test
  void overflowDropOldestDropsTheOldestAndReportsIt() {
    ReconnectingSession s = open(builder().offlineQueue(2, OverflowRule.DROP_OLDEST));
    send(s, "a", "b", "c");
    assertEquals(List.of(new MessageDropped(WsFrame.text("a"), DropReason.OLDEST_EVICTED)), eventList());
    assertEquals(1, s.droppedCount());
    assertEquals(2, s.queuedCount());

    startServer();
    s.start();
    vts.advanceTime();
    assertEquals(List.of("b", "c"), texts(serverReceived));
  }

  @Test
  void overflowDropNewestDropsTheNewFrameAndReportsIt() {
    ReconnectingSession s = open(builder().offlineQueue(2, OverflowRule.DROP_NEWEST));
    send(s, "a", "b", "c", "d");
    assertEquals(List.of(new MessageDropped(WsFrame.text("c"), DropReason.NEWEST_DISCARDED),
        new MessageDropped(WsFrame.text("d"), DropReason.NEWEST_DISCARDED)), eventList());
    assertEquals(2, s.droppedCount());

    startServer();
    s.start();
    vts.advanceTime();
    assertEquals(List.of("a", "b"), texts(serverReceived));
  }

  @Test
  void framesStillQueuedWhenTheSessionEndsAreReportedDropped() {
    ReconnectingSession s = started(builder());
    send(s, "x", "y");
    s.close();
    assertEquals(List.of(new MessageDropped(WsFrame.text("x"), DropReason.SESSION_ENDED),
        new MessageDropped(WsFrame.text("y"), DropReason.SESSION_ENDED), new Closed()),
        eventList().subList(eventList().size() - 3, eventList().size()));
    assertEquals(2, s.droppedCount());
  }

  @Test
  void framesLeaveTheQueueOnlyAsTheConnectionRequestsThem() {
    startServer();
    List<DemandConnection> decorated = new CopyOnWriteArrayList<>();
    ReconnectingSession s = started(builder().decorator(c -> {
      DemandConnection demand = new DemandConnection(c);
      decorated.add(demand);
      return demand;
    }));
    send(s, "1", "2", "3", "4");
    DemandConnection connection = decorated.get(0);
    assertEquals(List.of(), texts(connection.taken));
    assertEquals(4, s.queuedCount(), "nothing moves without demand");

    connection.request(1);
    assertEquals(List.of("1"), texts(connection.taken));
    assertEquals(3, s.queuedCount());
    connection.request(2);
    assertEquals(List.of("1", "2", "3"), texts(connection.taken));
    assertEquals(1, s.queuedCount());
  }

  @Test
  void theDeliverySeamCarriesEveryFrameBothWays() {
    startServer();
    List<String> seen = new CopyOnWriteArrayList<>();
    Delivery numbering = new Delivery() {
      int next;

      @Override
      public Publisher<WsFrame> outbound(Flux<WsFrame> fromQueue, WebSocketConnection connection) {
        return fromQueue.map(f -> WsFrame.text((next++) + ":" + ((WsFrame.Text) f).text()));
      }

      @Override
      public Flux<WsFrame> inbound(Flux<WsFrame> fromConnection, WebSocketConnection connection) {
        return fromConnection.doOnNext(f -> seen.add(((WsFrame.Text) f).text()));
      }
    };
    ReconnectingSession s = started(builder().delivery(numbering));
    send(s, "a", "b");
    serverSends("in");
    vts.advanceTime();
    assertEquals(List.of("0:a", "1:b"), texts(serverReceived));
    assertEquals(List.of("in"), seen);
  }

  // ------------------------------------------------------------------ close and timers

  @Test
  void closeDuringBackoffCancelsTheTimer() {
    ReconnectingSession s = started(builder());
    assertInstanceOf(ReconnectScheduled.class, lastEvent());
    assertEquals(1, clock.pendingTasks(), "the backoff delay is pending");

    s.close();
    assertEquals(new Closed(), lastEvent());
    assertTrue(inboundCompleted.get());
    assertEndedWithoutTimers();
    assertEquals(0, server.acceptedCount());
  }

  @Test
  void closeDuringAHangingHandshakeCancelsTheConnectTimeout() {
    startServer();
    server.hangHandshakes(true);
    ReconnectingSession s = started(builder());
    assertEquals(1, clock.pendingTasks(), "the connect timeout is pending");

    s.close();
    assertEquals(List.of(new Connecting(0), new Closed()), eventList());
    assertEndedWithoutTimers();
  }

  @Test
  void closeWhileConnectedLeavesNoTimer() {
    startServer();
    ReconnectingSession s = started(builder());
    serverSends("a");
    s.close();
    vts.advanceTime();
    assertEquals(new Closed(), lastEvent());
    assertEndedWithoutTimers();
  }

  @Test
  void closeBeforeStartEndsTheSession() {
    ReconnectingSession s = open(builder());
    s.close();
    assertEquals(List.of(new Closed()), eventList());
    assertThrows(IllegalStateException.class, s::start);
    assertEndedWithoutTimers();
  }

  @Test
  void startTwiceIsRejected() {
    startServer();
    ReconnectingSession s = started(builder());
    assertThrows(IllegalStateException.class, s::start);
  }

  @Test
  void closeFromAnEventHandlerIsSafe() {
    startServer();
    ReconnectingSession s = builder().build();
    session = s;
    List<ConnectionEvent> seen = new CopyOnWriteArrayList<>();
    s.events().subscribe(e -> {
      seen.add(e);
      if (e instanceof Connected) {
        s.close();
      }
    });
    s.start();
    vts.advanceTime();
    assertInstanceOf(Closed.class, seen.get(seen.size() - 1), seen.toString());
    assertEquals(0, clock.pendingTasks());
  }

  @Test
  void closeRacingAServerKillEndsClosedWithoutReconnect() {
    for (int round = 0; round < 200; round++) {
      if (round > 0) {
        session = null;
        newWorld();
      }
      startServer();
      ReconnectingSession s = started(builder());
      RaceTestUtils.race(s::close, server::kill);
      startServer(); // a server to reconnect to, if the session wrongly tried
      advance(Duration.ofHours(1));

      assertEquals(new Closed(), lastEvent(), "round " + round + ": " + eventList());
      assertTrue(eventsCompleted.get(), "round " + round);
      assertTrue(inboundCompleted.get(), "round " + round);
      assertEquals(1, server.acceptedCount(), "round " + round + ": no reconnect");
      assertEquals(1, eventsOf(Connecting.class).size(), "round " + round);
      assertEquals(0, clock.pendingTasks(), "round " + round);
    }
  }

  @Test
  void builderSettersReturnNewInstancesAndRejectBadValues() {
    ReconnectingSession.Builder base = ReconnectingSession.builder(client);
    assertTrue(base != base.offlineQueue(5, OverflowRule.DROP_OLDEST));
    assertTrue(base != base.strategy(strategy().build()));
    assertTrue(base != base.decorator(Function.identity()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> base.offlineQueue(0, OverflowRule.FAIL));
    assertTrue(e.getMessage().startsWith("capacity:"), e.getMessage());
    assertEquals("rule", assertThrows(NullPointerException.class, () -> base.offlineQueue(1, null)).getMessage());
    assertEquals("transport", assertThrows(NullPointerException.class, () -> ReconnectingSession.builder(null)).getMessage());
    ReconnectingSession s = open(base);
    assertThrows(IllegalArgumentException.class, () -> s.close(CloseStatus.ABNORMAL));
    StepVerifier.create(s.send(WsFrame.close(CloseStatus.NORMAL))).expectError(IllegalArgumentException.class).verify();
  }

  @Test
  void defaultQueueHolds1024FramesThenFails() {
    ReconnectingSession s = open(ReconnectingSession.builder(client));
    for (int i = 0; i < 1024; i++) {
      StepVerifier.create(s.send(WsFrame.text("f" + i))).verifyComplete();
    }
    StepVerifier.create(s.send(WsFrame.text("one too many"))).expectError(OfflineQueueFullException.class).verify();
  }

  // ------------------------------------------------------------------ test connections

  /** Delegates to a connection, and can fail its receive or time it out like a heartbeat operator. */
  private static final class ScriptedConnection extends ForwardingConnection {
    private final Sinks.One<Throwable> failure = Sinks.one();

    ScriptedConnection(WebSocketConnection delegate) {
      super(delegate);
    }

    void failReceive(Throwable error) {
      failure.tryEmitValue(error);
    }

    void heartbeatTimeout(Throwable error) {
      delegate.close(CloseStatus.HEARTBEAT_TIMEOUT).subscribe();
      failure.tryEmitValue(error);
    }

    @Override
    public Flux<WsFrame> receive() {
      return delegate.receive()
          .mergeWith(failure.asMono().flatMap(error -> Mono.<WsFrame>error(error)))
          .takeUntilOther(delegate.onClose());
    }
  }

  /** Delegates to a connection, but takes frames from send() only when the test requests them. */
  private static final class DemandConnection extends ForwardingConnection {
    final List<WsFrame> taken = new CopyOnWriteArrayList<>();
    private final AtomicReference<@Nullable Subscription> upstream = new AtomicReference<>();

    DemandConnection(WebSocketConnection delegate) {
      super(delegate);
    }

    void request(long n) {
      Subscription s = upstream.get();
      assertTrue(s != null, "send() was subscribed");
      s.request(n);
    }

    @Override
    public Mono<Void> send(Publisher<? extends WsFrame> frames) {
      return Mono.create(sink -> frames.subscribe(new BaseSubscriber<WsFrame>() {
        @Override
        protected void hookOnSubscribe(Subscription subscription) {
          upstream.set(subscription); // no request: the test decides
        }

        @Override
        protected void hookOnNext(WsFrame frame) {
          taken.add(frame);
        }
      }));
    }
  }
}
