package dev.heartbeat.vertx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.Heartbeat;
import dev.heartbeat.HeartbeatConnection;
import dev.heartbeat.HeartbeatEvent;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.transport.Role;
import dev.heartbeat.transport.WebSocketConnection;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import java.io.EOFException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The data path of a Vert.x connection: messages, limits, close codes, back-pressure, threads. */
class VertxConnectionTest extends VertxSocketTest {

  /** The server side of the next connection. */
  private final Sinks.One<WebSocketConnection> serverSide = Sinks.one();

  private VertxServerTransport.Handle echoServer(VertxWebSocketOptions options) {
    return start(session -> {
      serverSide.tryEmitValue(session);
      return session.send(session.receive());
    }, options);
  }

  private VertxServerTransport.Handle quietServer(VertxWebSocketOptions options) {
    return start(session -> {
      serverSide.tryEmitValue(session);
      session.receive().subscribe(f -> { }, e -> { });
      return session.onClose().then();
    }, options);
  }

  private WebSocketConnection server() {
    return serverSide.asMono().block(DEADLINE);
  }

  @Test
  void framesEmittedFromAnotherThreadKeepTheirOrder() {
    // Registry outboxes: frames pushed from an application thread, round robin over several
    // connections, while each writer requests more from its event loop, where frames already
    // buffered are then handed over at once.
    int connections = 5;
    int count = 2_000;
    List<Sinks.Many<WsFrame>> outboxes = new CopyOnWriteArrayList<>();
    VertxServerTransport.Handle server = start(session -> {
      Sinks.Many<WsFrame> outbox = Sinks.many().unicast().onBackpressureBuffer();
      outboxes.add(outbox);
      return session.send(outbox.asFlux());
    });
    List<Mono<List<WsFrame>>> received = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      received.add(connect(client(server.port())).receive().take(count).collectList().cache());
      received.get(c).subscribe();
    }
    Mono.fromCallable(outboxes::size).filter(n -> n == connections)
        .repeatWhenEmpty(ticks -> ticks.delayElements(Duration.ofMillis(10))).block(DEADLINE);
    List<WsFrame> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      WsFrame frame = WsFrame.text("n" + i);
      sent.add(frame);
      for (Sinks.Many<WsFrame> outbox : outboxes) {
        assertEquals(Sinks.EmitResult.OK, outbox.tryEmitNext(frame));
      }
    }
    for (int c = 0; c < connections; c++) {
      assertEquals(sent, received.get(c).block(DEADLINE), "connection " + c + " got every frame in order");
    }
  }

  @Test
  void largeMessagesAreFragmentedAndJoinedAgain() {
    VertxServerTransport.Handle server = echoServer(VertxWebSocketOptions.defaults());
    WebSocketConnection client = connect(client(server.port()));
    byte[] bytes = new byte[200_000]; // four frames of at most 65,536 bytes
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
    }
    String text = "é".repeat(70_000); // 140,000 UTF-8 bytes: fragments split a character
    client.send(Flux.just(WsFrame.binary(bytes), WsFrame.text(text))).block(DEADLINE);
    List<WsFrame> echoed = client.receive().take(2).collectList().block(DEADLINE);
    assertArrayEquals(bytes, ((WsFrame.Binary) echoed.get(0)).bytes());
    assertEquals(WsFrame.text(text), echoed.get(1));
  }

  @Test
  void aFrameOverMaxFrameSizeReachesThePeerAs1009() {
    VertxServerTransport.Handle server = quietServer(VertxWebSocketOptions.defaults());
    // This client writes frames of up to 1 MB: a 100 kB message leaves as one frame.
    WebSocketConnection client = connect(client(server.port(),
        VertxWebSocketOptions.builder().maxFrameSize(1 << 20).maxMessageSize(1 << 20).build()));
    client.receive().subscribe(f -> { }, e -> { });
    client.send(Mono.just(WsFrame.binary(new byte[100_000]))).subscribe(null, e -> { });
    assertEquals(1009, client.onClose().block(DEADLINE).code(), "the peer reads 1009, not 1006");
    assertEquals(1009, server().onClose().block(DEADLINE).code(), "and this side reports what it sent");
  }

  @Test
  void aMessageOverMaxMessageSizeReachesThePeerAs1009() {
    VertxServerTransport.Handle server = quietServer(VertxWebSocketOptions.builder().maxMessageSize(131_072).build());
    WebSocketConnection client = connect(client(server.port()));
    client.receive().subscribe(f -> { }, e -> { });
    client.send(Mono.just(WsFrame.binary(new byte[200_000]))).subscribe(null, e -> { }); // four frames, each fine
    CloseStatus atClient = client.onClose().block(DEADLINE);
    assertEquals(1009, atClient.code());
    assertEquals("message over 131072 bytes", atClient.reason());
    assertEquals(1009, server().onClose().block(DEADLINE).code());
  }

  @Test
  void theClientEnforcesItsLimitsToo() {
    VertxServerTransport.Handle server = start(session -> {
      serverSide.tryEmitValue(session);
      session.receive().subscribe(f -> { }, e -> { });
      return session.send(Mono.just(WsFrame.text("x".repeat(150_000)))).then(session.onClose().then());
    });
    WebSocketConnection client = connect(client(server.port(), VertxWebSocketOptions.builder().maxMessageSize(100_000).build()));
    List<WsFrame> received = new CopyOnWriteArrayList<>();
    client.receive().subscribe(received::add, e -> { });
    assertEquals(1009, client.onClose().block(DEADLINE).code());
    assertEquals(1009, server().onClose().block(DEADLINE).code());
    assertEquals(List.of(), received, "the oversized message is not delivered");
  }

  @Test
  void concurrentSendsInterleaveWholeFramesEachInOrder() {
    List<String> atServer = new CopyOnWriteArrayList<>();
    VertxServerTransport.Handle server = start(session -> session.receive()
        .doOnNext(frame -> atServer.add(((WsFrame.Text) frame).text())).then());
    WebSocketConnection client = connect(client(server.port()));
    int publishers = 4;
    int each = 250;
    Flux.range(0, publishers)
        .flatMap(p -> client.send(Flux.range(0, each).map(i -> WsFrame.text(p + ":" + i)).subscribeOn(Schedulers.parallel())))
        .then().block(DEADLINE);
    VertxTesting.await("all frames at the server", () -> atServer.size() == publishers * each);
    Map<String, List<Integer>> byPublisher = atServer.stream().collect(Collectors.groupingBy(
        text -> text.substring(0, text.indexOf(':')),
        Collectors.mapping(text -> Integer.parseInt(text.substring(text.indexOf(':') + 1)), Collectors.toList())));
    List<Integer> expected = IntStream.range(0, each).boxed().toList();
    for (int p = 0; p < publishers; p++) {
      assertEquals(expected, byPublisher.get(String.valueOf(p)), "publisher " + p + " in order");
    }
  }

  @Test
  void aSendFailsOnceTheConnectionIsClosedAndCloseFramesAreRefused() {
    VertxServerTransport.Handle server = quietServer(VertxWebSocketOptions.defaults());
    WebSocketConnection client = connect(client(server.port()));
    StepVerifier.create(client.send(Mono.just(WsFrame.close(CloseStatus.NORMAL))))
        .expectError(IllegalArgumentException.class).verify(DEADLINE);
    Sinks.Many<WsFrame> endless = Sinks.many().unicast().onBackpressureBuffer();
    Mono<Void> sending = client.send(endless.asFlux()).cache();
    sending.subscribe(null, e -> { });
    endless.tryEmitNext(WsFrame.text("one"));
    client.close(CloseStatus.of(4001, "bye")).block(DEADLINE);
    StepVerifier.create(sending).expectErrorMessage("connection closed").verify(DEADLINE);
    StepVerifier.create(client.send(Mono.just(WsFrame.text("late")))).expectErrorMessage("connection closed").verify(DEADLINE);
    assertEquals(4001, server().onClose().block(DEADLINE).code());
  }

  @Test
  void anAbruptDropIsReportedAs1006OnBothSides() {
    VertxServerTransport.Handle server = quietServer(VertxWebSocketOptions.defaults());
    WebSocketConnection first = connect(client(server.port()));
    first.receive().subscribe(f -> { }, e -> { });
    vertx(server()).abort();
    assertEquals(1006, first.onClose().block(DEADLINE).code());
    assertEquals(1006, server().onClose().block(DEADLINE).code());
  }

  @Test
  void aClientSideDropIsReportedAs1006AtTheServer() {
    VertxServerTransport.Handle server = quietServer(VertxWebSocketOptions.defaults());
    WebSocketConnection client = connect(client(server.port()));
    server();
    vertx(client).abort();
    assertEquals(1006, client.onClose().block(DEADLINE).code());
    assertEquals(1006, server().onClose().block(DEADLINE).code());
  }

  @Test
  void thePeersCloseIsReportedEvenWhileReadingIsPausedAndEarlierFramesStillArrive() {
    // The server reads nothing until the connection is closed: the close frame waits behind
    // the paused socket, and must still decide the status.
    VertxServerTransport.Handle server = start(session -> {
      serverSide.tryEmitValue(session);
      return session.onClose().then();
    });
    WebSocketConnection client = connect(client(server.port()));
    client.send(Flux.just(WsFrame.text("a"), WsFrame.text("b"))).block(DEADLINE);
    client.close(CloseStatus.of(4001, "bye")).block(DEADLINE);
    CloseStatus atServer = server().onClose().block(DEADLINE);
    assertEquals(4001, atServer.code());
    assertEquals("bye", atServer.reason());
    StepVerifier.create(server().receive()).expectNext(WsFrame.text("a"), WsFrame.text("b")).verifyComplete();
  }

  @Test
  void readingOnDemandStopsTheSocketAndThePeersWrites() {
    int count = 3_000;
    String chunk = "x".repeat(16_384); // 48 MB in all: far more than the sockets buffer
    java.util.concurrent.atomic.AtomicBoolean sent = new java.util.concurrent.atomic.AtomicBoolean();
    VertxServerTransport.Handle server = start(session -> {
      serverSide.tryEmitValue(session);
      return session.send(Flux.range(0, count).map(i -> WsFrame.text(i + ":" + chunk)))
          .doOnSuccess(v -> sent.set(true));
    });
    WebSocketConnection client = connect(client(server.port()));
    AtomicInteger received = new AtomicInteger();
    BaseSubscriber<WsFrame> reader = new BaseSubscriber<>() {
      @Override
      protected void hookOnSubscribe(Subscription subscription) {
        subscription.request(10);
      }

      @Override
      protected void hookOnNext(WsFrame frame) {
        received.incrementAndGet();
      }
    };
    client.receive().subscribe(reader);
    VertxWebSocketConnection atServer = vertx(server());
    VertxTesting.await("the server waits for its write queue to drain", () -> atServer.drainWaits() > 0);
    assertEquals(10, received.get(), "nothing beyond the demand is delivered");
    assertTrue(!sent.get(), "the server's send is held up by the reader");
    reader.request(Long.MAX_VALUE);
    VertxTesting.await("the server's send completes", sent::get);
    VertxTesting.await("every message read", () -> received.get() == count);
  }

  @Test
  void pingsReachTheCoreAndOnlyTheCoreAnswersThem() {
    // One answer per interval: the second ping goes unanswered, unless something else answers it.
    HeartbeatPolicy policy = HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames())
        .interval(Duration.ofSeconds(30)).timeout(Duration.ofSeconds(90)).maxAnswersPerInterval(1).build();
    List<HeartbeatEvent> events = new CopyOnWriteArrayList<>();
    VertxServerTransport.Handle server = start(Heartbeat.handler(policy, session -> {
      session.events().subscribe(events::add);
      return session.send(session.receive());
    }));
    // A plain Vert.x client, so that every pong it receives is counted.
    WebSocketClient raw = clientVertx.createWebSocketClient();
    afterTest(raw::close);
    List<Buffer> pongs = new CopyOnWriteArrayList<>();
    List<String> texts = new CopyOnWriteArrayList<>();
    WebSocket ws = raw.webSocket().pongHandler(pongs::add).textMessageHandler(texts::add)
        .connect(server.port(), "127.0.0.1", "/ws").toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    ws.writePing(Buffer.buffer("p1"));
    ws.writePing(Buffer.buffer("p2"));
    ws.writeTextMessage("after");
    VertxTesting.await("the echo of the text sent after the pings", () -> texts.contains("after"));
    assertEquals(List.of(Buffer.buffer("p1")), pongs, "one pong, the core's: Vert.x answered neither ping");
    assertEquals(List.of(true, false), events.stream().filter(HeartbeatEvent.PeerHeartbeat.class::isInstance)
        .map(e -> ((HeartbeatEvent.PeerHeartbeat) e).answered()).toList(), "the core saw both pings and answered the first");
    ws.close();
  }

  @Test
  void aVertxClientAnswersAPingFloodOnlyAtTheCoresBoundedRate() {
    int flood = 200;
    int max = 3;
    List<WsFrame> atServer = new CopyOnWriteArrayList<>();
    VertxServerTransport.Handle server = start(session -> {
      session.receive().subscribe(frame -> {
        atServer.add(frame);
        if (frame.equals(WsFrame.text("go"))) {
          session.send(Flux.range(0, flood).map(i -> WsFrame.ping(("f" + i).getBytes(StandardCharsets.UTF_8))))
              .subscribe(null, e -> { });
        }
      }, e -> { });
      return session.onClose().then();
    });
    // Only the server sends heartbeats, and a whole flood fits in one answer window of 30 s.
    HeartbeatPolicy policy = HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames()).sentBy(Role.SERVER)
        .interval(Duration.ofSeconds(30)).timeout(Duration.ofSeconds(90)).maxAnswersPerInterval(max).build();
    HeartbeatConnection client = Heartbeat.operator(policy).apply(connect(client(server.port())));
    List<Boolean> answered = new CopyOnWriteArrayList<>();
    client.events().subscribe(event -> {
      if (event instanceof HeartbeatEvent.PeerHeartbeat heartbeat) {
        answered.add(heartbeat.answered());
      }
    });
    client.send(Mono.just(WsFrame.text("go"))).block(DEADLINE);
    VertxTesting.await("the client read the whole flood", () -> answered.size() == flood);
    assertEquals(max, answered.stream().filter(a -> a).count(), "the core answered " + max + " of " + flood);

    // Written after every answer, so it arrives after them all.
    client.send(Mono.just(WsFrame.text("done"))).block(DEADLINE);
    VertxTesting.await("the server read the client's last message", () -> atServer.contains(WsFrame.text("done")));
    List<WsFrame> pongs = atServer.stream().filter(WsFrame.Pong.class::isInstance).toList();
    assertEquals(max, pongs.size(), "pongs at the server: only the core's answers, none from Vert.x: " + pongs);
    assertTrue(client.isOpen());
  }

  @Test
  void pingsTakeTheReadersDemandSoAFloodLetsInNoMoreThanThePrefetchAndLosesNothing() {
    VertxServerTransport.Handle server = start(session -> {
      serverSide.tryEmitValue(session);
      return session.onClose().then();
    });
    WebSocketClient raw = clientVertx.createWebSocketClient();
    afterTest(raw::close);
    WebSocket peer = raw.webSocket().connect(server.port(), "127.0.0.1", "/ws")
        .toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    VertxWebSocketConnection atServer = vertx(server());
    // Reads like the heartbeat operator: a window of 8, and one more for each ping it consumes.
    List<WsFrame> read = new CopyOnWriteArrayList<>();
    BaseSubscriber<WsFrame> reader = new BaseSubscriber<>() {
      @Override
      protected void hookOnSubscribe(Subscription subscription) {
        subscription.request(8);
      }

      @Override
      protected void hookOnNext(WsFrame frame) {
        read.add(frame);
        if (frame.isControl()) {
          request(1);
        }
      }
    };
    Mono.fromRunnable(() -> atServer.receive().subscribe(reader)).subscribeOn(atServer.scheduler()).block(DEADLINE);

    List<WsFrame> sent = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      peer.writePing(Buffer.buffer("p" + i));
      sent.add(WsFrame.ping(("p" + i).getBytes(StandardCharsets.UTF_8)));
    }
    // More than the reader asks for and the connection reads ahead together.
    int messages = 8 + VertxWebSocketConnection.PREFETCH + 20;
    for (int i = 0; i < messages; i++) {
      peer.writeTextMessage("m" + i);
      sent.add(WsFrame.text("m" + i));
    }
    peer.writePing(Buffer.buffer("last"));
    sent.add(WsFrame.ping("last".getBytes(StandardCharsets.UTF_8)));

    // Read on the connection's context, between two of its reads. A frame read beyond the
    // prefetch would find the relay full and be lost: the last assertion would see it missing.
    AtomicReference<List<Integer>> figures = new AtomicReference<>(List.of());
    List<Integer> full = List.of(108, VertxWebSocketConnection.PREFETCH);
    VertxTesting.await("100 pings and 8 messages read, the prefetch held", () -> {
      atServer.scheduler().schedule(() -> figures.set(List.of(read.size(), atServer.framesAheadOfDemand())));
      return figures.get().equals(full);
    });

    reader.request(Long.MAX_VALUE);
    VertxTesting.await("everything read", () -> read.size() == sent.size());
    assertEquals(sent, read, "pings keep their place among the messages, and none is lost");
    peer.close();
  }

  @Test
  void theReadersDemandReachesVertxInBatchesNotAFetchPerFrame() {
    // Vert.x runs an event-loop task for every fetch: one per message was a task per message.
    VertxServerTransport.Handle server = start(session -> {
      serverSide.tryEmitValue(session);
      return session.onClose().then();
    });
    WebSocketConnection client = connect(client(server.port()));
    VertxWebSocketConnection atServer = vertx(server());
    List<WsFrame> read = new CopyOnWriteArrayList<>();
    atServer.receive().subscribe(read::add);
    int before = atServer.fetches();

    int messages = 1_000;
    client.send(Flux.range(0, messages).map(i -> WsFrame.text("m" + i))).block(DEADLINE);
    VertxTesting.await("every message read", () -> read.size() == messages);
    assertEquals(IntStream.range(0, messages).mapToObj(i -> WsFrame.text("m" + i)).toList(), read);
    int fetches = atServer.fetches() - before;
    int batch = VertxWebSocketConnection.PREFETCH - VertxWebSocketConnection.FETCH_LOW;
    assertTrue(fetches <= messages / batch + 2, "at most one fetch per " + batch + " frames, was " + fetches);
  }

  @Test
  void aPingThatCameWithTheHandshakeResponseIsCarriedPastVertxToo() throws Exception {
    // The ping is read with the 101: the carrier must be in place before Vert.x sees it.
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
        try {
          Socket socket = listener.accept();
          socket.setSoTimeout((int) DEADLINE.toMillis());
          String key = readHead(socket.getInputStream()).lines()
              .filter(line -> line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:"))
              .map(line -> line.substring(line.indexOf(':') + 1).trim()).findFirst().orElseThrow();
          String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
              .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
          byte[] head = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
          byte[] ping = {(byte) 0x89, 2, 'h', 'i'};
          byte[] both = Arrays.copyOf(head, head.length + ping.length);
          System.arraycopy(ping, 0, both, head.length, ping.length);
          socket.getOutputStream().write(both); // one write: the ping travels with the 101
          socket.getOutputStream().flush();
          return socket;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      WebSocketConnection client = connect(client(URI.create("ws://127.0.0.1:" + listener.getLocalPort() + "/ws"),
          VertxWebSocketOptions.defaults()));
      try (Socket peer = accepted.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
        assertEquals(WsFrame.ping("hi".getBytes(StandardCharsets.US_ASCII)), client.receive().blockFirst(DEADLINE));
        client.send(Mono.just(WsFrame.text("after"))).block(DEADLINE);
        // A pong from Vert.x would have been written when the ping was read, before this text.
        assertEquals("text after", readClientFrame(peer.getInputStream()), "the first frame the peer gets");
      }
    }
  }

  /** One masked frame a client sent, as "text ..." or "opcode N". */
  private static String readClientFrame(InputStream in) throws Exception {
    int first = in.read();
    int length = in.read() & 0x7F; // short frames only
    byte[] mask = in.readNBytes(4);
    byte[] payload = in.readNBytes(length);
    for (int i = 0; i < payload.length; i++) {
      payload[i] ^= mask[i % 4];
    }
    return (first & 0x0F) == 0x1 ? "text " + new String(payload, StandardCharsets.UTF_8) : "opcode " + (first & 0x0F);
  }

  /** The request line and headers, up to the empty line. */
  private static String readHead(InputStream in) throws Exception {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("the request ended early: " + head);
      }
      head.append((char) b);
    }
    return head.toString();
  }

  @Test
  void heartbeatsAndFramesRunOnTheConnectionsContextAndShareItsSweep() {
    HeartbeatPolicy policy = HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames())
        .interval(Duration.ofMillis(100)).timeout(Duration.ofSeconds(2)).build();
    List<Thread> serverHandlerThreads = new CopyOnWriteArrayList<>();
    List<Thread> serverEventThreads = new CopyOnWriteArrayList<>();
    List<WebSocketConnection> serverSides = new CopyOnWriteArrayList<>();
    VertxServerTransport.Handle server = start(Heartbeat.handler(policy, session -> {
      serverHandlerThreads.add(Thread.currentThread());
      serverSides.add(session);
      session.events().subscribe(e -> serverEventThreads.add(Thread.currentThread()));
      return session.send(session.receive());
    }));
    VertxClientTransport transport = client(server.port());
    HeartbeatConnection first = Heartbeat.operator(policy).apply(connect(transport));
    HeartbeatConnection second = Heartbeat.operator(policy).apply(connect(transport));
    List<Thread> clientThreads = new CopyOnWriteArrayList<>();
    first.events().subscribe(e -> clientThreads.add(Thread.currentThread()));
    first.receive().subscribe(f -> clientThreads.add(Thread.currentThread()));
    first.send(Flux.interval(Duration.ofMillis(30)).take(10).map(i -> WsFrame.text("m" + i))).subscribe();
    StepVerifier.create(first.events().filter(HeartbeatEvent.Answered.class::isInstance).take(3))
        .expectNextCount(3).verifyComplete();
    VertxTesting.await("server heartbeat events", () -> serverEventThreads.size() >= 6);

    Thread serverLoop = serverHandlerThreads.get(0);
    assertTrue(VertxTesting.isEventLoop(serverLoop), serverLoop.getName());
    assertTrue(serverEventThreads.stream().allMatch(t -> t == serverLoop), "server timers and frames: " + serverEventThreads);
    Thread clientLoop = clientThreads.get(0);
    assertTrue(VertxTesting.isEventLoop(clientLoop), clientLoop.getName());
    assertTrue(clientThreads.stream().allMatch(t -> t == clientLoop), "client timers and frames: " + clientThreads);
    assertSame(first.scheduler(), second.scheduler(), "a client's connections share one context and one sweep");
    VertxTesting.await("both server sides", () -> serverSides.size() == 2);
    assertSame(serverSides.get(0).scheduler(), serverSides.get(1).scheduler(), "so do a server's");
    assertInstanceOf(ContextScheduler.class, first.scheduler());
  }

  @Test
  void aPeerThatNeverFinishesTheClosingHandshakeIsDroppedAfterTheCloseTimeout() throws Exception {
    HeartbeatPolicy strict = HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames())
        .interval(Duration.ofMillis(100)).timeout(Duration.ofMillis(400)).build();
    VertxServerTransport.Handle server = start(Heartbeat.handler(strict, session -> {
      serverSide.tryEmitValue(session);
      return session.receive().then();
    }), VertxWebSocketOptions.builder().closeTimeout(Duration.ofMillis(300)).build());
    // A peer that completes the opening handshake, then never answers anything.
    try (Socket silent = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      silent.setSoTimeout((int) DEADLINE.toMillis());
      OutputStream out = silent.getOutputStream();
      out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(new byte[16]) + "\r\n"
          + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      long start = System.nanoTime();
      byte[] everything = readToEnd(silent.getInputStream());
      long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      String head = new String(everything, StandardCharsets.ISO_8859_1);
      assertTrue(head.startsWith("HTTP/1.1 101"), head);
      assertTrue(containsClose(everything, 4408), "the silent peer was sent 4408");
      assertEquals(4408, server().onClose().block(DEADLINE).code());
      // Dead after 400-500 ms, then 300 ms for the closing handshake: the socket is gone well before 2 s.
      assertTrue(closedAfter < 2_000, "the server dropped the socket after " + closedAfter + " ms");
    }
  }

  private static byte[] readToEnd(InputStream in) throws Exception {
    List<Byte> bytes = new ArrayList<>();
    int b;
    while ((b = in.read()) >= 0) {
      bytes.add((byte) b);
    }
    byte[] array = new byte[bytes.size()];
    for (int i = 0; i < array.length; i++) {
      array[i] = bytes.get(i);
    }
    return array;
  }

  /** Whether {@code stream} holds an unmasked server close frame with {@code code}. */
  private static boolean containsClose(byte[] stream, int code) {
    for (int i = 0; i + 3 < stream.length; i++) {
      if ((stream[i] & 0xFF) == 0x88 && (stream[i + 2] & 0xFF) == (code >> 8) && (stream[i + 3] & 0xFF) == (code & 0xFF)) {
        return true;
      }
    }
    return false;
  }
}
