package dev.heartbeat.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.Heartbeat;
import dev.heartbeat.HeartbeatConnection;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.transport.Role;
import dev.heartbeat.transport.WebSocketConnection;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

/**
 * The connection class over real sockets: frame mapping both ways, the close codes of every
 * ending (sent, received, empty, too big, dropped), and the Reactor Netty pitfalls the adapter
 * must get around.
 */
class NettyWebSocketConnectionTest {

  private static final Duration DEADLINE = Loopback.DEADLINE;

  private final Loopback loopback = new Loopback();

  @AfterEach
  void disposeAll() {
    loopback.disposeAll();
  }

  /** A server that hands its side of each connection to {@code sides} and keeps it open until closed. */
  private NettyServerTransport.NettyServer keeper(Sinks.Many<WebSocketConnection> sides, NettyWebSocketSpec spec) {
    return loopback.start(NettyServerTransport.create("127.0.0.1", 0).spec(spec), session -> {
      sides.tryEmitNext(session);
      return session.onClose().then();
    });
  }

  private static Sinks.Many<WebSocketConnection> sides() {
    return Sinks.many().replay().all();
  }

  private static WebSocketConnection first(Sinks.Many<WebSocketConnection> sides) {
    return sides.asFlux().blockFirst(DEADLINE);
  }

  @Test
  void framesMapBothWaysPingsAndPongsIncludedNoneAnsweredByReactorNetty() {
    NettyServerTransport.NettyServer server = loopback.start(session -> session.send(session.receive()));
    NettyWebSocketConnection client = loopback.connect(server.port());
    List<WsFrame> frames = List.of(
        WsFrame.text("héllo ✓"), WsFrame.binary(new byte[] {0, 1, (byte) 255}), WsFrame.binary(new byte[0]),
        WsFrame.ping(new byte[] {7, 7}), WsFrame.pong(new byte[] {9}), WsFrame.text(""), WsFrame.text("end"));
    client.send(Flux.fromIterable(frames)).block(DEADLINE);
    // The echo returns exactly what was sent: had either side's Reactor Netty answered a ping
    // by itself, an extra pong would show up; had a pong been read as a message, a text would.
    StepVerifier.create(client.receive().takeUntil(WsFrame.text("end")::equals))
        .expectNextSequence(frames)
        .expectComplete()
        .verify(DEADLINE);
  }

  @Test
  void aCloseFrameCannotBeSentAsAFrameAndSendsAfterCloseFail() {
    Sinks.Many<WebSocketConnection> sides = sides();
    NettyServerTransport.NettyServer server = keeper(sides, NettyWebSocketSpec.defaults());
    NettyWebSocketConnection client = loopback.connect(server.port());
    StepVerifier.create(client.send(Mono.just(WsFrame.close(CloseStatus.NORMAL))))
        .expectError(IllegalArgumentException.class).verify(DEADLINE);
    StepVerifier.create(client.close(CloseStatus.received(1006, "")))
        .expectError(IllegalArgumentException.class).verify(DEADLINE);
    assertTrue(client.isOpen());
    client.close(CloseStatus.of(4001, "bye")).block(DEADLINE);
    assertFalse(client.isOpen());
    StepVerifier.create(client.send(Mono.just(WsFrame.text("late")))).expectError(IllegalStateException.class).verify(DEADLINE);
    assertEquals(4001, first(sides).onClose().block(DEADLINE).code());
  }

  @Test
  void onlyTheFirstCloseIsSentAndEveryCloseCompletes() {
    Sinks.Many<WebSocketConnection> sides = sides();
    NettyServerTransport.NettyServer server = keeper(sides, NettyWebSocketSpec.defaults());
    NettyWebSocketConnection client = loopback.connect(server.port());
    Mono<Void> firstClose = client.close(CloseStatus.of(4001, "first"));
    Mono<Void> secondClose = client.close(CloseStatus.of(4002, "second"));
    Mono.when(firstClose, secondClose).block(DEADLINE);
    CloseStatus atServer = first(sides).onClose().block(DEADLINE);
    assertEquals(4001, atServer.code());
    assertEquals("first", atServer.reason());
    assertEquals(4001, client.onClose().block(DEADLINE).code(), "this side reports the status it sent");
  }

  @Test
  void cancellingReceiveSendsNoCloseFrame() {
    Sinks.Many<WebSocketConnection> sides = sides();
    NettyServerTransport.NettyServer server = loopback.start(session -> {
      sides.tryEmitNext(session);
      return session.send(Flux.interval(Duration.ofMillis(10)).map(i -> WsFrame.text("tick " + i)));
    });
    NettyWebSocketConnection client = loopback.connect(server.port());
    StepVerifier.create(client.receive().take(3)).expectNextCount(3).expectComplete().verify(DEADLINE);
    // Reactor Netty sends an empty close (the server would read 1005) when its inbound is
    // cancelled; the adapter never cancels it, so the close that follows is the first one sent.
    assertTrue(client.isOpen());
    client.close(CloseStatus.of(4001, "after cancel")).block(DEADLINE);
    CloseStatus atServer = first(sides).onClose().block(DEADLINE);
    assertEquals(4001, atServer.code(), "not 1005: cancelling receive() sent nothing");
    assertEquals("after cancel", atServer.reason());
  }

  @Test
  void aPeersEmptyCloseIsReportedAs1005() {
    DisposableServer raw = HttpServer.create().host("127.0.0.1").port(0)
        .route(routes -> routes.ws("/ws", (in, out) -> out.sendClose()))
        .bindNow(DEADLINE);
    loopback.track(raw::disposeNow);
    NettyWebSocketConnection client = loopback.connect(raw.port());
    assertEquals(1005, client.onClose().block(DEADLINE).code());
    StepVerifier.create(client.receive()).expectComplete().verify(DEADLINE);
  }

  @Test
  void anOversizedFrameIsClosedWith1009AtThePeerAndReported1009Locally() {
    Sinks.Many<WebSocketConnection> sides = sides();
    NettyServerTransport.NettyServer server = keeper(sides, NettyWebSocketSpec.defaults());

    // Client to server: one frame over the server's 65,536 bytes.
    NettyWebSocketConnection client = loopback.connect(server.port());
    client.send(Mono.just(WsFrame.binary(new byte[70_000]))).subscribe(null, error -> { });
    assertEquals(1009, client.onClose().block(DEADLINE).code(), "the peer reads 1009");
    assertEquals(1009, first(sides).onClose().block(DEADLINE).code(), "the side that refused reports 1009");

    // Server to client: the client accepts at most 1,000 bytes.
    NettyWebSocketConnection small = loopback.connect(server.port(), NettyWebSocketSpec.builder().maxFramePayloadLength(1_000).build());
    WebSocketConnection serverSide = sides.asFlux().skip(1).blockFirst(DEADLINE);
    serverSide.send(Mono.just(WsFrame.text("x".repeat(2_000)))).subscribe(null, error -> { });
    assertEquals(1009, serverSide.onClose().block(DEADLINE).code());
    assertEquals(1009, small.onClose().block(DEADLINE).code());
  }

  /** A Reactor Netty client that sends {@code frames} raw, fragments included, and reports the close status it reads. */
  private static Mono<WebSocketCloseStatus> rawClient(int port, List<WebSocketFrame> frames, Sinks.Many<String> received) {
    return HttpClient.newConnection()
        .websocket(WebsocketClientSpec.builder().maxFramePayloadLength(1 << 20).build())
        .uri(Loopback.uri(port))
        .handle((in, out) -> {
          in.aggregateFrames(1 << 20).receiveFrames()
              .map(frame -> frame instanceof TextWebSocketFrame text ? text.text() : frame.getClass().getSimpleName())
              .subscribe(received::tryEmitNext);
          return out.sendObject(Flux.fromIterable(frames)).then().then(in.receiveCloseStatus());
        })
        .next();
  }

  @Test
  void fragmentsReachTheCoreAsOneMessage() {
    NettyServerTransport.NettyServer server = loopback.start(session -> session.send(session.receive()));
    Sinks.Many<String> received = Sinks.many().replay().all();
    rawClient(server.port(), List.of(
        new TextWebSocketFrame(false, 0, "hel"),
        new ContinuationWebSocketFrame(false, 0, "lo "),
        new ContinuationWebSocketFrame(true, 0, "world")), received).subscribe(null, error -> { });
    assertEquals("hello world", received.asFlux().blockFirst(DEADLINE), "joined into one message and echoed whole");
  }

  @Test
  void aFragmentedMessageOverTheLimitIsClosedWith1009() {
    Sinks.Many<WebSocketConnection> sides = sides();
    NettyServerTransport.NettyServer server = keeper(sides, NettyWebSocketSpec.defaults());
    // Each fragment fits in a frame; together they exceed the 65,536-byte message limit.
    WebSocketCloseStatus atClient = rawClient(server.port(), List.of(
        new BinaryWebSocketFrame(false, 0, Unpooled.wrappedBuffer(new byte[40_000])),
        new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(new byte[40_000]))), Sinks.many().replay().all())
        .block(DEADLINE);
    assertEquals(1009, atClient.code());
    assertEquals(1009, first(sides).onClose().block(DEADLINE).code());
  }

  @Test
  void fragmentsFromTheServerReachTheClientAsOneMessage() {
    DisposableServer raw = HttpServer.create().host("127.0.0.1").port(0)
        .route(routes -> routes.ws("/ws", (in, out) -> out.sendObject(Flux.just(
                new TextWebSocketFrame(false, 0, "frag"), new ContinuationWebSocketFrame(true, 0, "mented")))
            .then().then(in.receive().then())))
        .bindNow(DEADLINE);
    loopback.track(raw::disposeNow);
    NettyWebSocketConnection client = loopback.connect(raw.port());
    StepVerifier.create(client.receive().take(1)).expectNext(WsFrame.text("fragmented")).expectComplete().verify(DEADLINE);
  }

  @Test
  void concurrentSendsAllArriveEachInItsOwnOrder() {
    NettyServerTransport.NettyServer server = loopback.start(session -> session.send(session.receive()));
    NettyWebSocketConnection client = loopback.connect(server.port());
    int n = 300;
    Mono<Void> a = client.send(Flux.range(0, n).map(i -> WsFrame.text("a" + i)).subscribeOn(Schedulers.parallel()));
    Mono<Void> b = client.send(Flux.range(0, n).map(i -> WsFrame.text("b" + i)).subscribeOn(Schedulers.parallel()));
    Mono<List<WsFrame>> received = client.receive().take(2L * n).collectList();
    List<WsFrame> all = Mono.zip(received, Mono.when(a, b).then(Mono.just(true))).map(t -> t.getT1()).block(DEADLINE);
    List<String> texts = all.stream().map(f -> ((WsFrame.Text) f).text()).collect(Collectors.toList());
    assertEquals(IntStream.range(0, n).mapToObj(i -> "a" + i).collect(Collectors.toList()),
        texts.stream().filter(t -> t.startsWith("a")).collect(Collectors.toList()));
    assertEquals(IntStream.range(0, n).mapToObj(i -> "b" + i).collect(Collectors.toList()),
        texts.stream().filter(t -> t.startsWith("b")).collect(Collectors.toList()));
  }

  @Test
  void aSendUnderWayFailsAtTheCloseAndItsPublisherIsCancelledOneThatCompletedEndsQuietly() {
    Sinks.Many<WebSocketConnection> sides = sides();
    NettyServerTransport.NettyServer server = keeper(sides, NettyWebSocketSpec.defaults());
    NettyWebSocketConnection client = loopback.connect(server.port());
    WebSocketConnection serverSide = first(sides);
    serverSide.receive().subscribe(frame -> { }, error -> { });

    Sinks.Empty<Void> cancelled = Sinks.empty();
    Sinks.Many<WsFrame> open = Sinks.many().unicast().onBackpressureBuffer();
    Mono<Void> underWay = client.send(open.asFlux().doOnCancel(cancelled::tryEmitEmpty)).cache();
    underWay.subscribe(null, error -> { });
    Mono<Void> alsoUnderWay = client.send(Flux.never()).cache(); // two sends open when the close comes
    alsoUnderWay.subscribe(null, error -> { });
    Mono<Void> handedOver = client.send(Mono.just(WsFrame.text("all of it"))).cache();
    handedOver.subscribe(null, error -> { });
    open.tryEmitNext(WsFrame.text("some of it"));
    handedOver.block(DEADLINE);

    serverSide.close(CloseStatus.of(4002, "going")).block(DEADLINE);
    StepVerifier.create(underWay)
        .expectErrorSatisfies(error -> {
          assertTrue(error instanceof IllegalStateException, error.toString());
          assertTrue(error.getMessage().contains("4002"), error.getMessage());
        })
        .verify(DEADLINE);
    StepVerifier.create(alsoUnderWay).expectError(IllegalStateException.class).verify(DEADLINE);
    StepVerifier.create(cancelled.asMono()).expectComplete().verify(DEADLINE);
    StepVerifier.create(handedOver).expectComplete().verify(DEADLINE);
  }

  @Test
  void cancellingASendCancelsItsPublisherAndTheConnectionStaysOpen() {
    NettyServerTransport.NettyServer server = loopback.start(session -> session.send(session.receive()));
    NettyWebSocketConnection client = loopback.connect(server.port());
    Sinks.Empty<Void> cancelled = Sinks.empty();
    Sinks.Many<WsFrame> frames = Sinks.many().unicast().onBackpressureBuffer();
    frames.tryEmitNext(WsFrame.text("one"));
    client.send(frames.asFlux().doOnCancel(cancelled::tryEmitEmpty)).subscribe().dispose();
    StepVerifier.create(cancelled.asMono()).expectComplete().verify(DEADLINE);
    assertTrue(client.isOpen());
    StepVerifier.create(client.receive().take(1).map(frame -> ((WsFrame.Text) frame).text()))
        .then(() -> client.send(Mono.just(WsFrame.text("two"))).subscribe())
        .expectNextMatches(text -> text.equals("one") || text.equals("two"))
        .expectComplete()
        .verify(DEADLINE);
  }

  @Test
  void anAbruptDropIsReportedAs1006OnBothSides() {
    Sinks.Many<WebSocketConnection> sides = sides();
    NettyServerTransport.NettyServer server = keeper(sides, NettyWebSocketSpec.defaults());

    // The client's socket is reset: no close frame either way.
    NettyWebSocketConnection client = loopback.connect(server.port());
    WebSocketConnection serverSide = first(sides);
    client.channel().config().setOption(ChannelOption.SO_LINGER, 0);
    client.channel().close();
    assertEquals(1006, client.onClose().block(DEADLINE).code());
    assertEquals(1006, serverSide.onClose().block(DEADLINE).code());
    StepVerifier.create(serverSide.receive()).expectComplete().verify(DEADLINE);

    // The server's socket closes without a close frame (FIN).
    NettyWebSocketConnection other = loopback.connect(server.port());
    NettyWebSocketConnection otherServerSide = (NettyWebSocketConnection) sides.asFlux().skip(1).blockFirst(DEADLINE);
    other.receive().subscribe(frame -> { }, error -> { });
    otherServerSide.channel().close();
    assertEquals(1006, other.onClose().block(DEADLINE).code());
    assertEquals(1006, otherServerSide.onClose().block(DEADLINE).code());
  }

  @Test
  void aClientHeartbeatTimeoutReachesTheServerAs4408() {
    Sinks.Many<WebSocketConnection> sides = sides();
    // The server reads but never answers: with handlePing(true) Reactor Netty does not answer pings either.
    NettyServerTransport.NettyServer server = loopback.start(session -> {
      sides.tryEmitNext(session);
      return session.receive().then();
    });
    HeartbeatPolicy strict = HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames()).sentBy(Role.CLIENT)
        .interval(Duration.ofMillis(100)).timeout(Duration.ofMillis(400)).build();
    HeartbeatConnection client = Heartbeat.operator(strict).apply(loopback.connect(server.port()));
    client.receive().subscribe(frame -> { }, error -> { });
    CloseStatus atServer = first(sides).onClose().block(DEADLINE);
    assertEquals(4408, atServer.code(), "the peer reads the heartbeat-timeout code, not 1005");
    assertTrue(atServer.reason().startsWith("no frame for"), atServer.reason());
    assertEquals(4408, client.onClose().block(DEADLINE).code());
  }

  @Test
  void pingsFromThePeerReachTheCoreWhichAnswersThem() {
    // The raw Reactor Netty client pings with handlePing off; the server's heartbeat operator answers.
    NettyServerTransport.NettyServer server = loopback.start(Heartbeat.handler(
        HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames()).sentBy(Role.CLIENT).interval(Duration.ofSeconds(5)).build(),
        session -> session.receive().then()));
    Sinks.Many<String> received = Sinks.many().replay().all();
    List<WebSocketFrame> pings = new ArrayList<>();
    pings.add(new io.netty.handler.codec.http.websocketx.PingWebSocketFrame(Unpooled.copiedBuffer("p1", StandardCharsets.UTF_8)));
    HttpClient.newConnection()
        .websocket(WebsocketClientSpec.builder().handlePing(true).build())
        .uri(Loopback.uri(server.port()))
        .handle((in, out) -> {
          in.receiveFrames()
              .map(frame -> frame.getClass().getSimpleName() + ":" + frame.content().toString(StandardCharsets.UTF_8))
              .subscribe(received::tryEmitNext);
          return out.sendObject(Flux.fromIterable(pings)).then().then(in.receiveCloseStatus().then());
        })
        .subscribe(null, error -> { });
    assertEquals("PongWebSocketFrame:p1", received.asFlux().blockFirst(DEADLINE));
  }

  @Test
  void aCloseStuckBehindAPeerThatDoesNotReadDropsTheConnectionAfterTheCloseTimeout() {
    Sinks.Many<WebSocketConnection> sides = sides();
    NettyServerTransport.NettyServer server = keeper(sides, NettyWebSocketSpec.builder().closeTimeout(Duration.ofMillis(300)).build());
    // A client with a small TCP window that never reads: the adapter reads 32 frames ahead, then stops.
    NettyWebSocketConnection client = loopback.connect(NettyClientTransport.create(
        HttpClient.create().option(ChannelOption.SO_RCVBUF, 8 * 1024), Loopback.uri(server.port()), NettyWebSocketSpec.defaults()));
    NettyWebSocketConnection serverSide = (NettyWebSocketConnection) first(sides);
    String filler = "x".repeat(16 * 1024);
    java.util.concurrent.atomic.AtomicLong produced = new java.util.concurrent.atomic.AtomicLong();
    serverSide.send(Flux.<WsFrame>generate(sink -> sink.next(WsFrame.text(produced.incrementAndGet() + filler))))
        .subscribe(null, error -> { });
    // Wait until the socket buffers are full: nothing more is produced, and the channel holds back.
    long[] last = {-1};
    Boolean full = Flux.interval(Duration.ofMillis(200))
        .filter(tick -> {
          long now = produced.get();
          boolean stalled = now == last[0] && !serverSide.channel().isWritable();
          last[0] = now;
          return stalled;
        })
        .next().map(tick -> true).timeout(DEADLINE, Mono.just(false)).block();
    assertTrue(full, "the peer's buffers filled after " + produced.get() + " frames");

    // The close frame waits behind them, forever: without a bound the connection would never end.
    long start = System.nanoTime();
    serverSide.close(CloseStatus.of(4001, "slow")).block(DEADLINE);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertEquals(4001, serverSide.onClose().block(DEADLINE).code(), "this side reports the status it meant to send");
    assertTrue(took.compareTo(Duration.ofMillis(250)) >= 0, "dropped at the close timeout, not before: " + took);
    assertFalse(serverSide.channel().isActive());
  }
}
