package dev.heartbeat.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.ConnectTimeoutException;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.test.RawWebSocketServer;
import dev.heartbeat.transport.HandshakeInfo;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

/** The client role: failures surface from connect() and release the socket; settings take effect. */
class NettyClientTransportTest {

  private static final Duration DEADLINE = Loopback.DEADLINE;

  private final Loopback loopback = new Loopback();

  @AfterEach
  void disposeAll() {
    loopback.disposeAll();
  }

  /** Reads what the client sent until it closes the socket; fails if it never does. */
  private static void awaitClosedByClient(Socket accepted) throws IOException {
    accepted.setSoTimeout((int) DEADLINE.toMillis());
    InputStream in = accepted.getInputStream();
    try {
      in.readAllBytes(); // the upgrade request, then end of stream
    } catch (IOException reset) {
      // a reset also means the client let go of the socket
    }
  }

  @Test
  void aServerThatAcceptsButNeverAnswersMakesConnectTimeOutAndTheSocketIsReleased() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      NettyClientTransport transport = NettyClientTransport.create(Loopback.uri(silent.getLocalPort()),
          NettyWebSocketSpec.builder().connectTimeout(Duration.ofMillis(300)).build());
      long start = System.nanoTime();
      StepVerifier.create(transport.connect())
          .expectErrorSatisfies(error -> assertEquals(Duration.ofMillis(300),
              assertInstanceOf(ConnectTimeoutException.class, error).timeout()))
          .verify(DEADLINE);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(took.compareTo(Duration.ofMillis(280)) >= 0 && took.compareTo(Duration.ofSeconds(3)) < 0, "timed out after " + took);
      try (Socket accepted = silent.accept()) {
        awaitClosedByClient(accepted);
      }
    }
  }

  @Test
  void cancellingAConnectReleasesTheSocket() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Disposable attempt = NettyClientTransport.create(Loopback.uri(silent.getLocalPort())).connect().subscribe(c -> { }, e -> { });
      try (Socket accepted = silent.accept()) {
        attempt.dispose();
        awaitClosedByClient(accepted);
      }
    }
  }

  @Test
  void aTextMessageThatIsNotUtf8IsDroppedAndTheClientClosesWith1007() throws Exception {
    RawWebSocketServer.checkAClientRefusesTextThatIsNotUtf8(port -> NettyClientTransport.create(Loopback.uri(port)), DEADLINE);
  }

  @Test
  void aServerThatClosesBeforeAnsweringFailsTheConnect() throws IOException {
    try (ServerSocket closing = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        try (Socket s = closing.accept()) {
          s.getInputStream().read(); // the request has started: close without answering
        } catch (IOException ignored) {
          // the test ends
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      StepVerifier.create(NettyClientTransport.create(Loopback.uri(closing.getLocalPort())).connect())
          .expectError()
          .verify(DEADLINE);
    }
  }

  @Test
  void aRefusedConnectIsAConnectException() throws IOException {
    int port;
    try (ServerSocket gone = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      port = gone.getLocalPort();
    }
    StepVerifier.create(NettyClientTransport.create(Loopback.uri(port)).connect())
        .expectError(ConnectException.class)
        .verify(DEADLINE);
  }

  @Test
  void onlyWsAndWssUrisWithAHostAreAccepted() {
    for (String bad : new String[] {"http://127.0.0.1/ws", "ws:/ws", "/ws", "ws://127.0.0.1/ws#frag"}) {
      IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
          () -> NettyClientTransport.create(URI.create(bad)), bad);
      assertTrue(error.getMessage().startsWith("uri:"), error.getMessage());
    }
    assertEquals(URI.create("wss://example.com/ws"), NettyClientTransport.create(URI.create("wss://example.com/ws")).uri());
  }

  private NettyWebSocketConnection connectWithCompression(boolean server, boolean client, Sinks.One<HandshakeInfo> seen) {
    NettyServerTransport.NettyServer started = loopback.start(NettyServerTransport.create("127.0.0.1", 0)
        .spec(NettyWebSocketSpec.builder().compress(server).build()), session -> {
          seen.tryEmitValue(session.handshakeInfo());
          return session.send(session.receive());
        });
    return loopback.connect(started.port(), NettyWebSocketSpec.builder().compress(client).build());
  }

  private static boolean deflates(NettyWebSocketConnection connection) {
    return connection.channel().pipeline().toString().contains("PerMessageDeflate");
  }

  @Test
  void compressionIsOfferedAndUsedOnlyWhenBothSidesSayYes() {
    Sinks.One<HandshakeInfo> both = Sinks.one();
    NettyWebSocketConnection compressed = connectWithCompression(true, true, both);
    assertTrue(both.asMono().block(DEADLINE).header("sec-websocket-extensions").contains("permessage-deflate"));
    assertTrue(deflates(compressed), compressed.channel().pipeline().toString());
    String big = "heartbeat ".repeat(2_000);
    compressed.send(Mono.just(WsFrame.text(big))).block(DEADLINE);
    StepVerifier.create(compressed.receive().take(1)).expectNext(WsFrame.text(big)).expectComplete().verify(DEADLINE);

    Sinks.One<HandshakeInfo> clientOff = Sinks.one();
    NettyWebSocketConnection plain = connectWithCompression(true, false, clientOff);
    assertEquals(null, clientOff.asMono().block(DEADLINE).header("sec-websocket-extensions"), "not offered by default");
    assertFalse(deflates(plain));

    NettyWebSocketConnection refused = connectWithCompression(false, true, Sinks.one());
    assertFalse(deflates(refused), "offered, but the server does not accept it");
  }

  @Test
  void wssConnectsOverTls(@TempDir Path dir) throws Exception {
    Path store = dir.resolve("loopback.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "loopback", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes());
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, output);
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, "changeit".toCharArray());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(keys);

    NettyServerTransport.NettyServer server = loopback.start(NettyServerTransport.create(HttpServer.create()
            .host("127.0.0.1").port(0).secure(ssl -> ssl.sslContext(Http11SslContextSpec.forServer(kmf)))),
        session -> session.send(session.receive()));
    HttpClient tls = HttpClient.newConnection()
        .secure(ssl -> ssl.sslContext(Http11SslContextSpec.forClient().configure(builder -> builder.trustManager(tmf))));
    NettyWebSocketConnection client = loopback.connect(NettyClientTransport.create(tls,
        URI.create("wss://127.0.0.1:" + server.port() + "/ws"), NettyWebSocketSpec.defaults()));
    client.send(Mono.just(WsFrame.text("over tls"))).block(DEADLINE);
    StepVerifier.create(client.receive().take(1)).expectNext(WsFrame.text("over tls")).expectComplete().verify(DEADLINE);
    assertTrue(client.channel().pipeline().toString().contains("SslHandler"));

    // Without the test's trust store, the JDK's default refuses the self-signed certificate.
    StepVerifier.create(NettyClientTransport.create(URI.create("wss://127.0.0.1:" + server.port() + "/ws")).connect())
        .expectError()
        .verify(DEADLINE);
  }
}
