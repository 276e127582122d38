package dev.heartbeat.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.reconnect.ConnectionEvent;
import dev.heartbeat.reconnect.ReconnectStrategy;
import dev.heartbeat.reconnect.ReconnectingSession;
import dev.heartbeat.transport.HandshakeCheck;
import dev.heartbeat.transport.HandshakeDecision;
import dev.heartbeat.transport.HandshakeInfo;
import dev.heartbeat.transport.Role;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

/** The server role over loopback: routes beside the endpoint, what the handler sees, refusals. */
class NettyServerTransportTest {

  private final Loopback loopback = new Loopback();

  @AfterEach
  void disposeAll() {
    loopback.disposeAll();
  }

  /** A plain HTTP GET: the status and the body. */
  private record Response(int status, String body) {}

  private static Response get(int port, String path) {
    return HttpClient.newConnection().get().uri("http://127.0.0.1:" + port + path)
        .responseSingle((res, body) -> body.asString().defaultIfEmpty("").map(text -> new Response(res.status().code(), text)))
        .block(Loopback.DEADLINE);
  }

  private static void echo(NettyWebSocketConnection client) {
    client.send(Mono.just(WsFrame.text("hello"))).block(Loopback.DEADLINE);
    StepVerifier.create(client.receive().take(1)).expectNext(WsFrame.text("hello")).expectComplete().verify(Loopback.DEADLINE);
  }

  @Test
  void httpRoutesAnswerBesideTheUpgradedEndpointOnTheSamePort() {
    NettyServerTransport.NettyServer server = loopback.start(NettyServerTransport.create("127.0.0.1", 0)
            .routes(r -> r.get("/health", (req, res) -> res.sendString(Mono.just("ok")))),
        session -> session.send(session.receive()));

    Response health = get(server.port(), "/health");
    assertEquals(200, health.status());
    assertEquals("ok", health.body());
    assertEquals(426, get(server.port(), "/ws").status(), "a plain GET on the endpoint is told to upgrade");
    assertEquals(404, get(server.port(), "/nowhere").status());
    echo(loopback.connect(server.port()));
  }

  @Test
  void theEndpointMountsOnAnApplicationsOwnServer() {
    DisposableServer own = HttpServer.create().host("127.0.0.1").port(0)
        .route(routes -> NettyServerTransport.mount(routes, session -> session.send(session.receive()),
                NettyWebSocketSpec.builder().path("/live").build())
            .get("/health", (req, res) -> res.sendString(Mono.just("ok"))))
        .bindNow(Loopback.DEADLINE);
    loopback.track(own::disposeNow);
    assertEquals("ok", get(own.port(), "/health").body());
    echo(loopback.connect(NettyClientTransport.create(URI.create("ws://127.0.0.1:" + own.port() + "/live"))));
  }

  @Test
  void theHandlerSeesTheHandshakeHeadersUriSubprotocolAndPeer() {
    Sinks.One<HandshakeInfo> seen = Sinks.one();
    NettyWebSocketSpec serverSpec = NettyWebSocketSpec.builder().subprotocols("chat.v2", "chat.v1").build();
    NettyServerTransport.NettyServer server = loopback.start(NettyServerTransport.create("127.0.0.1", 0).spec(serverSpec),
        session -> {
          seen.tryEmitValue(session.handshakeInfo());
          return session.onClose().then();
        });
    NettyWebSocketSpec clientSpec = NettyWebSocketSpec.builder()
        .subprotocols("chat.v1", "chat.v2").header("X-Token", "abc").header("X-Token", "def").build();
    NettyWebSocketConnection client = loopback.connect(NettyClientTransport.create(
        URI.create("ws://127.0.0.1:" + server.port() + "/ws?room=7"), clientSpec));

    HandshakeInfo atServer = seen.asMono().block(Loopback.DEADLINE);
    assertEquals(Role.SERVER, atServer.role());
    assertEquals(List.of("abc", "def"), atServer.headers().get("x-token"), "names lower-cased, values in order");
    assertEquals("abc", atServer.header("X-TOKEN"));
    assertEquals("/ws", atServer.uri().getPath());
    assertEquals("room=7", atServer.uri().getQuery());
    assertEquals("ws", atServer.uri().getScheme());
    assertEquals("chat.v1", atServer.subprotocol(), "the first the client offers that the server accepts");
    assertEquals(client.channel().localAddress(), atServer.remoteAddress());

    HandshakeInfo atClient = client.handshakeInfo();
    assertEquals(Role.CLIENT, atClient.role());
    assertEquals("chat.v1", atClient.subprotocol());
    assertEquals(List.of("abc", "def"), atClient.headers().get("x-token"));
    assertEquals(server.port(), atClient.remoteAddress().getPort());
  }

  @Test
  void withoutSubprotocolsNoneIsSelected() {
    Sinks.One<HandshakeInfo> seen = Sinks.one();
    NettyServerTransport.NettyServer server = loopback.start(session -> {
      seen.tryEmitValue(session.handshakeInfo());
      return session.onClose().then();
    });
    NettyWebSocketConnection client = loopback.connect(server.port());
    assertNull(seen.asMono().block(Loopback.DEADLINE).subprotocol());
    assertNull(client.handshakeInfo().subprotocol());
  }

  @Test
  void aClientOfferingNoAcceptedSubprotocolIsRefusedBeforeTheUpgrade() {
    NettyServerTransport.NettyServer server = loopback.start(NettyServerTransport.create("127.0.0.1", 0)
        .spec(NettyWebSocketSpec.builder().subprotocols("chat.v2").build()), session -> session.onClose().then());
    for (NettyWebSocketSpec offer : List.of(NettyWebSocketSpec.defaults(), NettyWebSocketSpec.builder().subprotocols("chat.v1").build())) {
      StepVerifier.create(NettyClientTransport.create(Loopback.uri(server.port()), offer).connect())
          .expectErrorSatisfies(error -> assertEquals(400,
              assertInstanceOf(WebSocketClientHandshakeException.class, error).response().status().code()))
          .verify(Loopback.DEADLINE);
    }
  }

  @Test
  void aHandshakeCheckRefusesWithItsStatusAndAcceptsWhatItAllows() {
    NettyServerTransport.NettyServer server = loopback.start(NettyServerTransport.create("127.0.0.1", 0)
            .handshakeCheck(HandshakeCheck.bearerToken(token -> Mono.just(token.equals("good")))),
        session -> session.send(session.receive()));
    StepVerifier.create(NettyClientTransport.create(Loopback.uri(server.port())).connect())
        .expectErrorSatisfies(error -> assertEquals(401,
            assertInstanceOf(WebSocketClientHandshakeException.class, error).response().status().code()))
        .verify(Loopback.DEADLINE);
    StepVerifier.create(NettyClientTransport.create(Loopback.uri(server.port()),
            NettyWebSocketSpec.builder().header("Authorization", "Bearer bad").build()).connect())
        .expectErrorSatisfies(error -> assertEquals(403,
            assertInstanceOf(WebSocketClientHandshakeException.class, error).response().status().code()))
        .verify(Loopback.DEADLINE);
    echo(loopback.connect(server.port(), NettyWebSocketSpec.builder().header("Authorization", "Bearer good").build()));
  }

  @Test
  void aFailedHandshakeIsAConnectErrorThatAReconnectingSessionRetries() {
    AtomicInteger attempts = new AtomicInteger();
    // The first two upgrade requests are refused (503), the third accepted.
    HandshakeCheck flaky = request -> Mono.just(attempts.incrementAndGet() <= 2
        ? HandshakeDecision.reject(503, "warming up") : HandshakeDecision.accept());
    NettyServerTransport.NettyServer server = loopback.start(
        NettyServerTransport.create("127.0.0.1", 0).handshakeCheck(flaky), session -> session.send(session.receive()));
    ReconnectingSession session = ReconnectingSession.builder(NettyClientTransport.create(Loopback.uri(server.port())))
        .strategy(ReconnectStrategy.builder().minDelay(Duration.ofMillis(20)).maxDelay(Duration.ofMillis(100)).build())
        .build();
    loopback.track(session::close);
    List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
    session.events().subscribe(events::add);
    session.receive().subscribe(frame -> { }, error -> { });
    session.start();
    StepVerifier.create(session.events().filter(ConnectionEvent.Connected.class::isInstance).take(1))
        .expectNextCount(1).expectComplete().verify(Loopback.DEADLINE);
    assertEquals(3, attempts.get());
    assertEquals(2, events.stream().filter(ConnectionEvent.ReconnectScheduled.class::isInstance).count(), events.toString());
  }

  @Test
  void aConnectionThatSendsNoRequestIsClosedAfterTheHandshakeTimeout() throws IOException {
    NettyServerTransport.NettyServer server = loopback.start(NettyServerTransport.create("127.0.0.1", 0)
        .spec(NettyWebSocketSpec.builder().handshakeTimeout(Duration.ofMillis(300)).build()), session -> session.onClose().then());
    try (Socket silent = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      silent.setSoTimeout((int) Loopback.DEADLINE.toMillis());
      long start = System.nanoTime();
      InputStream in = silent.getInputStream();
      assertEquals(-1, in.read(), "closed by the server, nothing sent");
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(took.compareTo(Duration.ofMillis(250)) >= 0 && took.compareTo(Duration.ofSeconds(3)) < 0, "closed after " + took);
    }
  }

  @Test
  void shutdownRefusesNewConnectionsAndUnbinds() {
    NettyServerTransport.NettyServer server = loopback.start(session -> session.send(session.receive()));
    NettyWebSocketConnection client = loopback.connect(server.port());
    server.shutdown().block(Loopback.DEADLINE);
    assertEquals(1001, client.onClose().block(Loopback.DEADLINE).code());
    StepVerifier.create(NettyClientTransport.create(Loopback.uri(server.port())).connect())
        .expectError().verify(Loopback.DEADLINE);
    server.shutdown().block(Loopback.DEADLINE); // idempotent
  }
  @Test
  void withCompressionAgreedDataFramesGoOutDeflatedAndHeartbeatsDoNot() throws IOException {
    // Data frames are written past Netty's frame encoder unless deflate may compress them.
    NettyServerTransport.NettyServer server = loopback.start(NettyServerTransport.create("127.0.0.1", 0)
        .spec(NettyWebSocketSpec.builder().compress(true).build()), session -> session.send(
            session.receive().flatMap(frame -> Flux.just(WsFrame.ping(new byte[] {7}), frame))));
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout((int) Loopback.DEADLINE.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
          + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      assertTrue(head.startsWith("HTTP/1.1 101") && head.toLowerCase(Locale.ROOT).contains("permessage-deflate"), head);
      byte[] text = "hello hello hello hello".getBytes(StandardCharsets.US_ASCII);
      ByteArrayOutputStream frame = new ByteArrayOutputStream();
      frame.write(0x81); // FIN, text, uncompressed
      frame.write(0x80 | text.length); // masked with the key 0: the payload as it is
      frame.write(new byte[4]);
      frame.write(text);
      out.write(frame.toByteArray());
      out.flush();

      assertEquals(0x89, in.read(), "the ping first: final, no RSV bit, never compressed");
      assertEquals(1, in.read());
      assertEquals(7, in.read());
      assertEquals(0xC1, in.read(), "the echo: final, RSV1 (compressed), text");
    }
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      assertTrue(b >= 0, "closed in the head: " + head);
      head.append((char) b);
    }
    return head.toString();
  }
}
