package dev.heartbeat.vertx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.transport.HandshakeCheck;
import dev.heartbeat.transport.HandshakeInfo;
import dev.heartbeat.transport.Role;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.internal.VertxInternal;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** The server role on Vert.x: one port for WebSockets and HTTP, handshake checks before the upgrade. */
class VertxServerTransportTest extends VertxSocketTest {

  private static final SessionHandler<WebSocketConnection> ECHO = session -> session.send(session.receive());

  @Test
  void aStandaloneServerServesHttpRoutesBesideWebSocketsOnOnePort() {
    VertxServerTransport transport = VertxServerTransport.create(serverVertx, "127.0.0.1", 0, VertxWebSocketOptions.defaults())
        .requestHandler(request -> {
          if (request.path().equals("/health")) {
            request.response().end("ok");
          } else {
            request.response().setStatusCode(404).end();
          }
        });
    VertxServerTransport.Handle server = start(transport, ECHO);

    assertEquals("200 ok", get(server.port(), "/health"));
    assertEquals("404 ", get(server.port(), "/nothing"));
    assertEcho(connect(client(server.port())));
    UpgradeRejectedException wrongPath = rejected(client(URI.create("ws://127.0.0.1:" + server.port() + "/nope"),
        VertxWebSocketOptions.defaults()));
    assertEquals(404, wrongPath.getStatus());
  }

  @Test
  void aServerThatAnswersEveryRequestItselfRunsVertxsStrictThreadModeAndOneWithARequestHandlerDoesNot() {
    VertxServerTransport standalone = VertxServerTransport.create(serverVertx, "127.0.0.1", 0, VertxWebSocketOptions.defaults());
    Handler<HttpServerRequest> routes = request -> request.response().end();
    assertTrue(standalone.serverOptions().getStrictThreadMode(), "only its own 404s and handshakes: on");
    assertFalse(standalone.requestHandler(routes).serverOptions().getStrictThreadMode(), "a handler of yours: off");
    assertTrue(standalone.requestHandler(routes).strictThreadMode(true).serverOptions().getStrictThreadMode());
    assertTrue(standalone.strictThreadMode(true).requestHandler(routes).serverOptions().getStrictThreadMode(),
        "set either before or after the handler");
    assertFalse(standalone.strictThreadMode(false).serverOptions().getStrictThreadMode());
    assertEquals(VertxWebSocketOptions.defaults().maxFrameSize(), standalone.serverOptions().getMaxWebSocketFrameSize(),
        "the WebSocket options still apply");
  }

  @Test
  void aRequestHandlerMayRespondFromAnotherThreadUnlessStrictThreadModeIsOn() {
    // Answers from a thread of its own; when Vert.x refuses that, answers the refusal on the context.
    Handler<HttpServerRequest> fromElsewhere = request -> {
      io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
      Thread answering = new Thread(() -> {
        try {
          request.response().end("answered");
        } catch (IllegalStateException refused) {
          context.runOnContext(ignored -> request.response().setStatusCode(500).end(refused.getMessage()));
        }
      });
      answering.start();
    };
    VertxServerTransport transport = VertxServerTransport.create(serverVertx, "127.0.0.1", 0, VertxWebSocketOptions.defaults())
        .requestHandler(fromElsewhere);

    VertxServerTransport.Handle relaxed = start(transport, ECHO);
    assertEquals("200 answered", get(relaxed.port(), "/"));
    assertEcho(connect(client(relaxed.port())));

    VertxServerTransport.Handle strict = start(transport.strictThreadMode(true), ECHO);
    String refused = get(strict.port(), "/");
    assertTrue(refused.startsWith("500 "), "Vert.x refused the write from another thread: " + refused);
    assertEcho(connect(client(strict.port())));
  }

  /** The event-loop threads that ran the handler of {@code n} connections to a server from {@code transport}. */
  private Set<Thread> handlerThreadsOf(VertxServerTransport transport, int n) {
    Set<Thread> threads = ConcurrentHashMap.newKeySet();
    AtomicInteger served = new AtomicInteger();
    VertxServerTransport.Handle server = start(transport, session -> {
      threads.add(Thread.currentThread());
      served.incrementAndGet();
      return session.send(session.receive());
    });
    for (int i = 0; i < n; i++) {
      assertEcho(connect(client(server.port())));
    }
    VertxTesting.await("every connection served", () -> served.get() == n);
    return threads;
  }

  @Test
  void aStandaloneServerServesOnOneEventLoopUnlessAskedForMore() {
    VertxServerTransport transport = VertxServerTransport.create(serverVertx, "127.0.0.1", 0, VertxWebSocketOptions.defaults());
    int loops = 0;
    for (var ignored : ((VertxInternal) serverVertx).eventLoopGroup()) {
      loops++;
    }
    assertTrue(loops >= 2, "the test Vert.x has several event loops: " + loops);
    assertEquals(1, handlerThreadsOf(transport, 4).size(), "by default all on one loop");
    assertEquals(loops, handlerThreadsOf(transport.eventLoops(loops), 2 * loops).size(),
        "eventLoops(n): connections handed out in turn to every loop");
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> transport.eventLoops(0));
    assertTrue(none.getMessage().startsWith("eventLoops"), none.getMessage());
  }

  @Test
  void twoStandaloneServersOnAnyFreePortGetAPortEach() {
    AtomicInteger firstServed = new AtomicInteger();
    VertxServerTransport spread = VertxServerTransport.create(serverVertx, "127.0.0.1", 0, VertxWebSocketOptions.defaults())
        .eventLoops(2);
    VertxServerTransport.Handle first = start(spread, session -> {
      firstServed.incrementAndGet();
      return session.send(session.receive());
    });
    VertxServerTransport.Handle second = start(spread, ECHO);
    assertNotEquals(first.port(), second.port());
    for (int i = 0; i < 4; i++) {
      assertEcho(connect(client(second.port())));
    }
    assertEquals(0, firstServed.get(), "the second server's connections never reach the first's handler");
  }

  @Test
  void itMountsOnYourOwnServerBesideYourRoutes() {
    VertxWebSocketOptions options = VertxWebSocketOptions.defaults();
    VertxWebSocketHandler webSockets = VertxServerTransport.webSocketHandler(ECHO, options);
    HttpServer server = listen(serverVertx.createHttpServer(options.applyTo(new HttpServerOptions().setHost("127.0.0.1")))
        .requestHandler(request -> request.response().end("route " + request.path()))
        .webSocketHandshakeHandler(webSockets.handshakeHandler())
        .webSocketHandler(webSockets));

    assertEquals("200 route /api/items", get(server.actualPort(), "/api/items"));
    assertEcho(connect(client(server.actualPort())));
    assertEquals(1, webSockets.openConnections());
    webSockets.closeAll(dev.heartbeat.frame.CloseStatus.GOING_AWAY).block(DEADLINE);
    assertEquals(0, webSockets.openConnections());
  }

  @Test
  void yourServersGracefulShutdownClosesMountedWebSocketsWith1001() {
    VertxWebSocketOptions options = VertxWebSocketOptions.defaults();
    VertxWebSocketHandler webSockets = VertxServerTransport.webSocketHandler(ECHO, options);
    HttpServer server = listen(serverVertx.createHttpServer(options.applyTo(new HttpServerOptions().setHost("127.0.0.1")))
        .webSocketHandshakeHandler(webSockets.handshakeHandler())
        .webSocketHandler(webSockets));
    WebSocketConnection connection = connect(client(server.actualPort()));
    connection.receive().subscribe(f -> { }, e -> { });

    // A grace far past the deadline: left to Vert.x, the WebSocket would be dropped only at its end.
    var stopped = server.shutdown(60, TimeUnit.SECONDS).toCompletionStage().toCompletableFuture();
    assertEquals(1001, connection.onClose().block(DEADLINE).code());
    stopped.orTimeout(10, TimeUnit.SECONDS).join(); // and the server stops without waiting out its grace
  }

  @ParameterizedTest(name = "strict thread mode {0}")
  @ValueSource(booleans = {false, true})
  void itMountsAsARouteOfARequestHandler(boolean strictThreadMode) {
    VertxWebSocketHandler webSockets = VertxServerTransport.webSocketHandler(ECHO, VertxWebSocketOptions.defaults());
    // What a Vert.x Web Router does: the route picks the path, the handler upgrades.
    HttpServer server = listen(serverVertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1")
            .setStrictThreadMode(strictThreadMode))
        .requestHandler(request -> {
          if (request.path().equals("/chat")) {
            webSockets.upgrade(request);
          } else {
            request.response().end("route " + request.path());
          }
        }));

    assertEquals("200 route /", get(server.actualPort(), "/"));
    assertEcho(connect(client(URI.create("ws://127.0.0.1:" + server.actualPort() + "/chat"), VertxWebSocketOptions.defaults())));
  }

  @Test
  void aHandshakeIsRejectedWithItsStatusBeforeTheUpgrade() {
    AtomicInteger sessions = new AtomicInteger();
    VertxWebSocketOptions options = VertxWebSocketOptions.builder()
        .handshakeCheck(HandshakeCheck.bearerToken(token -> Mono.just(token.equals("good")))).build();
    VertxServerTransport.Handle server = start(session -> {
      sessions.incrementAndGet();
      return ECHO.handle(session);
    }, options);

    assertEquals(401, rejected(client(server.port())).getStatus(), "no token");
    assertEquals(403, rejected(client(server.port(),
        VertxWebSocketOptions.builder().header("Authorization", "Bearer bad").build())).getStatus(), "a refused token");
    assertEquals(0, sessions.get(), "a rejected handshake never reaches the handler");
    assertEcho(connect(client(server.port(), VertxWebSocketOptions.builder().header("Authorization", "Bearer good").build())));
    assertEquals(1, sessions.get());
  }

  @Test
  void compressionIsRefusedUnlessAskedFor() throws IOException {
    // Vert.x servers accept permessage-deflate by default and inflate with no limit: ours must not.
    assertNull(extensionsAgreed(start(ECHO).port()), "deflate offered by the client, refused by default");
    String agreed = extensionsAgreed(start(ECHO, VertxWebSocketOptions.builder().compress(true).build()).port());
    assertNotNull(agreed, "compress(true) accepts deflate");
    assertTrue(agreed.startsWith("permessage-deflate"), agreed);
  }

  @Test
  void onAWorkerContextFramesGoThroughVertxsWebSocketInOrder() {
    // A worker's thread is not the event loop: writes go through Vert.x's write queue instead.
    AtomicBoolean onWorker = new AtomicBoolean();
    VertxWebSocketHandler webSockets = VertxServerTransport.webSocketHandler(session -> {
      onWorker.set(io.vertx.core.Context.isOnWorkerThread());
      return session.send(session.receive());
    }, VertxWebSocketOptions.defaults());
    AtomicInteger port = new AtomicInteger();
    String deployment = serverVertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1"))
            .webSocketHandshakeHandler(webSockets.handshakeHandler())
            .webSocketHandler(webSockets)
            .listen(0)
            .onSuccess(listening -> port.set(listening.actualPort()));
      }
    }, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
        .toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    afterTest(() -> serverVertx.undeploy(deployment).toCompletionStage().toCompletableFuture()
        .orTimeout(10, TimeUnit.SECONDS).join());

    WebSocketConnection client = connect(client(port.get()));
    List<WsFrame> frames = IntStream.range(0, 200).mapToObj(i -> (WsFrame) WsFrame.text("m" + i)).toList();
    client.send(Flux.fromIterable(frames)).block(DEADLINE);
    assertEquals(frames, client.receive().take(frames.size()).collectList().block(DEADLINE));
    assertTrue(onWorker.get(), "the session ran on a worker thread");
  }

  @Test
  void whatTheServerWritesOnACompressedConnectionLeavesCompressed() throws IOException {
    // The frames go past Vert.x's WebSocket into the pipeline: still before the deflate encoder.
    int port = start(ECHO, VertxWebSocketOptions.builder().compress(true).build()).port();
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout((int) DEADLINE.toMillis());
      assertNotNull(offerDeflate(socket, port), "deflate agreed");
      byte[] payload = "echo me ".repeat(16).getBytes(StandardCharsets.US_ASCII); // 128 bytes, uncompressed
      ByteArrayOutputStream frame = new ByteArrayOutputStream();
      frame.write(0x81); // FIN, text, RSV1 clear: a client may send a message uncompressed
      frame.write(0x80 | 126);
      frame.write(payload.length >> 8);
      frame.write(payload.length & 0xFF);
      frame.write(new byte[4]); // a zero mask leaves the payload as it is
      frame.write(payload);
      socket.getOutputStream().write(frame.toByteArray());

      DataInputStream in = new DataInputStream(socket.getInputStream());
      int first = in.readUnsignedByte();
      int length = in.readUnsignedByte() & 0x7F;
      assertEquals(0x1, first & 0x0F, "a text frame");
      assertEquals(0x40, first & 0x40, "RSV1: the echo was compressed");
      assertTrue(length < payload.length, "and shorter than the text: " + length);
    }
  }

  /** The Sec-WebSocket-Extensions of a 101 answering a browser-like offer of deflate, or null. */
  private static @Nullable String extensionsAgreed(int port) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout((int) DEADLINE.toMillis());
      return offerDeflate(socket, port);
    }
  }

  /** Sends a browser-like handshake offering deflate and reads the 101's head: the extensions agreed, or null. */
  private static @Nullable String offerDeflate(Socket socket, int port) throws IOException {
    socket.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    // Byte by byte, so that nothing after the head is read ahead into a buffer.
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      assertTrue(b >= 0, "the head ended early: " + head);
      head.append((char) b);
    }
    String[] lines = head.toString().split("\r\n");
    assertTrue(lines[0].startsWith("HTTP/1.1 101"), lines[0]);
    String extensions = null;
    for (String line : lines) {
      if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-extensions:")) {
        extensions = line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return extensions;
  }

  @Test
  void aRouteRejectsWithTheCheckStatusToo() {
    VertxWebSocketHandler webSockets = VertxServerTransport.webSocketHandler(ECHO, VertxWebSocketOptions.builder()
        .handshakeCheck(HandshakeCheck.allowOrigins(List.of("https://chat.example.com"))).build());
    HttpServer server = listen(serverVertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1"))
        .requestHandler(webSockets::upgrade));
    VertxWebSocketOptions evil = VertxWebSocketOptions.builder().header("Origin", "https://chat.example.com.evil.io").build();
    assertEquals(403, rejected(client(server.actualPort(), evil)).getStatus());
    VertxWebSocketOptions good = VertxWebSocketOptions.builder().header("Origin", "https://chat.example.com").build();
    assertEcho(connect(client(server.actualPort(), good)));
  }

  @Test
  void theHandlerSeesTheHandshakeHeadersAndTheAgreedSubprotocol() {
    Sinks.One<HandshakeInfo> seen = Sinks.one();
    VertxServerTransport.Handle server = start(session -> {
      seen.tryEmitValue(session.handshakeInfo());
      return session.onClose().then();
    }, VertxWebSocketOptions.builder().subprotocols(List.of("chat.v1")).build());
    VertxClientTransport client = client(URI.create("ws://127.0.0.1:" + server.port() + "/ws?room=7"),
        VertxWebSocketOptions.builder().subprotocols(List.of("chat.v2", "chat.v1")).header("X-Token", "abc").build());
    WebSocketConnection connection = connect(client);

    HandshakeInfo atServer = seen.asMono().block(DEADLINE);
    assertEquals(Role.SERVER, atServer.role());
    assertEquals("/ws", atServer.uri().getPath());
    assertEquals("room=7", atServer.uri().getQuery());
    assertEquals("abc", atServer.header("x-token"));
    assertEquals("abc", atServer.header("X-Token"), "any case");
    assertEquals("chat.v1", atServer.subprotocol());
    assertTrue(atServer.remoteAddress().getAddress().isLoopbackAddress());

    HandshakeInfo atClient = connection.handshakeInfo();
    assertEquals(Role.CLIENT, atClient.role());
    assertEquals("chat.v1", atClient.subprotocol());
    assertEquals("abc", atClient.header("x-token"));
    assertEquals(server.port(), atClient.remoteAddress().getPort());
  }

  @Test
  void withoutACommonSubprotocolNoneIsAgreed() {
    Sinks.One<HandshakeInfo> seen = Sinks.one();
    VertxServerTransport.Handle server = start(session -> {
      seen.tryEmitValue(session.handshakeInfo());
      return session.onClose().then();
    });
    connect(client(server.port()));
    assertNull(seen.asMono().block(DEADLINE).subprotocol());
  }

  @Test
  void afterShutdownThePortIsReleased() {
    VertxServerTransport.Handle server = start(ECHO);
    WebSocketConnection connection = connect(client(server.port()));
    connection.receive().subscribe(f -> { }, e -> { });
    server.shutdown().block(DEADLINE);
    assertEquals(1001, connection.onClose().block(DEADLINE).code());
    Throwable refused = assertThrows(RuntimeException.class, () -> client(server.port()).connect().block(DEADLINE));
    assertInstanceOf(ConnectException.class, Exceptions.unwrap(refused), refused.toString());
  }

  private void assertEcho(WebSocketConnection connection) {
    connection.send(Mono.just(WsFrame.text("hello"))).block(DEADLINE);
    assertEquals(WsFrame.text("hello"), connection.receive().blockFirst(DEADLINE));
  }

  private UpgradeRejectedException rejected(VertxClientTransport client) {
    Throwable error = assertThrows(RuntimeException.class, () -> client.connect().block(DEADLINE));
    return assertInstanceOf(UpgradeRejectedException.class, Exceptions.unwrap(error), error.toString());
  }

  private HttpServer listen(HttpServer server) {
    HttpServer listening = server.listen(0).toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    afterTest(() -> listening.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join());
    assertNotNull(listening);
    return listening;
  }

  /** A plain HTTP GET with a Vert.x client: status and body. */
  private static String get(int port, String path) {
    io.vertx.core.http.HttpClient http = clientVertx.createHttpClient(new io.vertx.core.http.HttpClientOptions().setKeepAlive(false));
    try {
      return http.request(HttpMethod.GET, port, "127.0.0.1", path)
          .compose(request -> request.send())
          .compose(response -> response.body().map(body -> response.statusCode() + " " + body))
          .toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    } finally {
      http.close();
    }
  }
}
