package dev.heartbeat.vertx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.Heartbeat;
import dev.heartbeat.HeartbeatConnection;
import dev.heartbeat.HeartbeatEvent;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.HeartbeatTimeoutException;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.reconnect.ConnectionEvent;
import dev.heartbeat.reconnect.ReconnectStrategy;
import dev.heartbeat.reconnect.ReconnectingSession;
import dev.heartbeat.test.FaultyTcpProxy;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** Real-socket faults: a network that goes silent without closing, resets, a server crash. */
class VertxFaultTest extends VertxSocketTest {

  private static final Duration INTERVAL = Duration.ofMillis(200);
  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  private static final HeartbeatPolicy POLICY = HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames())
      .interval(INTERVAL).timeout(TIMEOUT).build();

  private final Sinks.Many<HeartbeatConnection> serverSides = Sinks.many().replay().all();

  private VertxServerTransport.Handle heartbeatEchoServer() {
    return start(Heartbeat.handler(POLICY, session -> {
      serverSides.tryEmitNext(session);
      return session.send(session.receive());
    }));
  }

  private FaultyTcpProxy proxy(VertxServerTransport.Handle server) {
    FaultyTcpProxy proxy = FaultyTcpProxy.start(server.port());
    afterTest(proxy::close);
    return proxy;
  }

  @Test
  void aPeerSilentBehindAFrozenProxyIsDeclaredDeadWithinTimeoutPlusOneIntervalOnBothSides() {
    VertxServerTransport.Handle server = heartbeatEchoServer();
    FaultyTcpProxy proxy = proxy(server);
    HeartbeatConnection client = Heartbeat.operator(POLICY).apply(connect(client(proxy.port())));
    HeartbeatConnection atServer = serverSides.asFlux().blockFirst(DEADLINE);
    Sinks.One<Long> clientDead = Sinks.one();
    Sinks.One<Long> serverDead = Sinks.one();
    client.events().ofType(HeartbeatEvent.Dead.class).subscribe(e -> clientDead.tryEmitValue(System.nanoTime()));
    atServer.events().ofType(HeartbeatEvent.Dead.class).subscribe(e -> serverDead.tryEmitValue(System.nanoTime()));
    client.receive().subscribe(f -> { }, e -> { });
    StepVerifier.create(client.events().ofType(HeartbeatEvent.Answered.class).take(2)).expectNextCount(2).verifyComplete();

    long frozenAt = System.nanoTime();
    proxy.freeze(); // half-open: nothing arrives, nothing closes
    long clientAfter = TimeUnit.NANOSECONDS.toMillis(clientDead.asMono().block(DEADLINE) - frozenAt);
    long serverAfter = TimeUnit.NANOSECONDS.toMillis(serverDead.asMono().block(DEADLINE) - frozenAt);
    long bound = TIMEOUT.plus(INTERVAL).toMillis() + 150; // + scheduling slack on a loaded machine
    assertTrue(clientAfter >= TIMEOUT.minus(INTERVAL).toMillis() && clientAfter <= bound, "client: dead after " + clientAfter + " ms");
    assertTrue(serverAfter >= TIMEOUT.minus(INTERVAL).toMillis() && serverAfter <= bound, "server: dead after " + serverAfter + " ms");

    // Each side sent 4408 into the frozen proxy; nobody answers, so each drops its socket
    // after the close timeout (1 s by default) and reports 4408.
    assertEquals(4408, client.onClose().block(DEADLINE).code());
    assertEquals(4408, atServer.onClose().block(DEADLINE).code());
    long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenAt);
    assertTrue(closedAfter < bound + 1_000 + 500, "sockets released after " + closedAfter + " ms");
  }

  @Test
  void aShortFreezeMakesThePeerSuspectAndItRecovers() {
    VertxServerTransport.Handle server = heartbeatEchoServer();
    FaultyTcpProxy proxy = proxy(server);
    HeartbeatConnection client = Heartbeat.operator(POLICY).apply(connect(client(proxy.port())));
    client.receive().subscribe(f -> { }, e -> { });
    StepVerifier.create(client.events().ofType(HeartbeatEvent.Answered.class).take(1)).expectNextCount(1).verifyComplete();
    List<HeartbeatEvent> events = new CopyOnWriteArrayList<>();
    client.events().subscribe(events::add);
    proxy.freeze();
    VertxTesting.await("suspect", () -> events.stream().anyMatch(HeartbeatEvent.Suspect.class::isInstance));
    proxy.resume();
    VertxTesting.await("recovered", () -> events.stream().anyMatch(HeartbeatEvent.Recovered.class::isInstance));
    assertTrue(client.isOpen());
    assertTrue(events.stream().noneMatch(HeartbeatEvent.Dead.class::isInstance), events.toString());
  }

  @Test
  void aResetReachesBothSidesAs1006() {
    VertxServerTransport.Handle server = heartbeatEchoServer();
    FaultyTcpProxy proxy = proxy(server);
    WebSocketConnection client = connect(client(proxy.port()));
    client.receive().subscribe(f -> { }, e -> { });
    HeartbeatConnection atServer = serverSides.asFlux().blockFirst(DEADLINE);
    proxy.cutAll();
    assertEquals(1006, client.onClose().block(DEADLINE).code());
    assertEquals(1006, atServer.onClose().block(DEADLINE).code());
  }

  @Test
  void aServerKilledMidStreamDropsItsClientWhichReconnectsAndReadsOn() {
    // The server streams a numbered message every 10 ms to each client.
    SessionHandler<WebSocketConnection> streaming = Heartbeat.handler(POLICY, session -> {
      session.receive().subscribe(f -> { }, e -> { });
      return session.send(Flux.interval(Duration.ofMillis(10)).onBackpressureDrop().map(i -> WsFrame.text("n" + i)));
    });
    VertxServerTransport.Handle server = start(streaming);
    List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
    ReconnectingSession session = ReconnectingSession.builder(client(server.port()))
        .strategy(ReconnectStrategy.builder().minDelay(Duration.ofMillis(50)).maxDelay(Duration.ofMillis(200))
            .connectTimeout(Duration.ofSeconds(2)).random(new Random(7)::nextDouble).build())
        .decorator(Heartbeat.operator(POLICY))
        .build();
    afterTest(session::close);
    session.events().subscribe(events::add);
    List<WsFrame> received = new CopyOnWriteArrayList<>();
    session.receive().subscribe(received::add, e -> { });
    session.start();
    VertxTesting.await("the stream flows", () -> received.size() >= 20);

    server.kill().block(DEADLINE); // mid-stream: no close frame
    VertxTesting.await("a drop with 1006 and a reconnect scheduled", () -> events.stream().anyMatch(e ->
        e instanceof ConnectionEvent.Disconnected d && d.status().code() == 1006 && d.willReconnect()));
    int beforeRestart = received.size();
    start(VertxServerTransport.create(serverVertx, "127.0.0.1", server.port(), VertxWebSocketOptions.defaults()), streaming);
    VertxTesting.await("connected again", () -> events.stream().filter(ConnectionEvent.Connected.class::isInstance).count() == 2);
    VertxTesting.await("the stream flows again", () -> received.size() >= beforeRestart + 20);
    assertTrue(events.stream().noneMatch(e -> e instanceof ConnectionEvent.Disconnected d && !d.willReconnect()), events.toString());
    session.close(CloseStatus.NORMAL);
  }

  @Test
  void aHeartbeatTimeoutIsReportedAsATypedError() {
    VertxServerTransport.Handle server = heartbeatEchoServer();
    FaultyTcpProxy proxy = proxy(server);
    HeartbeatConnection client = Heartbeat.operator(POLICY).apply(connect(client(proxy.port())));
    StepVerifier.create(client.events().ofType(HeartbeatEvent.Answered.class).take(1)).expectNextCount(1).verifyComplete();
    proxy.freeze();
    StepVerifier.create(client.receive()).expectError(HeartbeatTimeoutException.class).verify(DEADLINE);
  }
}
