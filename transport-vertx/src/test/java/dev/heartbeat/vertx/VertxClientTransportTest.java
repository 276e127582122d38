package dev.heartbeat.vertx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.ConnectTimeoutException;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.reconnect.ConnectionEvent;
import dev.heartbeat.reconnect.ReconnectStrategy;
import dev.heartbeat.reconnect.ReconnectingSession;
import dev.heartbeat.test.RawWebSocketServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.Exceptions;

/** The client role on Vert.x: failures surface from connect(), and no attempt keeps a socket. */
class VertxClientTransportTest extends VertxSocketTest {

  @Test
  void itRefusesUrisItCannotConnectTo() {
    assertThrows(IllegalArgumentException.class, () -> VertxClientTransport.create(clientVertx, URI.create("http://127.0.0.1/ws")));
    assertThrows(IllegalArgumentException.class, () -> VertxClientTransport.create(clientVertx, URI.create("ws:/ws")));
  }

  @Test
  void aTextMessageThatIsNotUtf8IsDroppedAndTheClientClosesWith1007() throws Exception {
    RawWebSocketServer.checkAClientRefusesTextThatIsNotUtf8(this::client, DEADLINE);
  }

  @Test
  void aRefusedConnectFailsTheConnect() throws IOException {
    int port;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }
    Throwable error = assertThrows(RuntimeException.class, () -> client(port).connect().block(DEADLINE));
    assertInstanceOf(ConnectException.class, Exceptions.unwrap(error), error.toString());
  }

  @Test
  void aServerThatAcceptsButNeverAnswersTimesTheConnectOutAndLosesTheSocket() throws IOException {
    try (SilentServer silent = new SilentServer()) {
      VertxClientTransport client = client(silent.port(),
          VertxWebSocketOptions.builder().connectTimeout(Duration.ofMillis(300)).build());
      long start = System.nanoTime();
      Throwable error = assertThrows(RuntimeException.class, () -> client.connect().block(DEADLINE));
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      assertInstanceOf(ConnectTimeoutException.class, Exceptions.unwrap(error), error.toString());
      assertTrue(tookMillis < 3_000, "timed out after " + tookMillis + " ms");
      VertxTesting.await("the abandoned socket is closed", () -> silent.closedByPeer.get() == 1);
    }
  }

  @Test
  void anAbandonedHandshakeGivesItsPoolSlotBack() throws IOException {
    try (SilentServer silent = new SilentServer()) {
      // One connection per server at most: a socket kept by the first attempt would starve the second.
      VertxClientTransport client = client(silent.port(), VertxWebSocketOptions.builder()
          .connectTimeout(Duration.ofMillis(300)).maxConnections(1).build());
      for (int attempt = 1; attempt <= 3; attempt++) {
        Throwable error = assertThrows(RuntimeException.class, () -> client.connect().block(DEADLINE));
        assertInstanceOf(ConnectTimeoutException.class, Exceptions.unwrap(error), error.toString());
        int expected = attempt;
        VertxTesting.await("attempt " + attempt + " reached the server", () -> silent.accepted.get() == expected);
      }
    }
  }

  @Test
  void reconnectingManyTimesNeverExhaustsThePool() {
    AtomicInteger accepted = new AtomicInteger();
    VertxServerTransport.Handle server = start(session -> {
      accepted.incrementAndGet();
      return session.close(CloseStatus.SERVICE_RESTART); // 1012: clients come back
    });
    VertxClientTransport client = client(server.port(), VertxWebSocketOptions.builder().maxConnections(1).build());
    List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
    ReconnectingSession session = ReconnectingSession.builder(client)
        .strategy(ReconnectStrategy.builder().minDelay(Duration.ofMillis(10)).maxDelay(Duration.ofMillis(50))
            .connectTimeout(Duration.ofSeconds(2)).random(new Random(1)::nextDouble).build())
        .build();
    afterTest(session::close);
    session.events().subscribe(events::add);
    session.receive().subscribe(f -> { }, e -> { });
    session.start();
    VertxTesting.await("six connections, one at a time", () -> events.stream()
        .filter(ConnectionEvent.Connected.class::isInstance).count() >= 6);
    assertTrue(events.stream().noneMatch(ConnectionEvent.GaveUp.class::isInstance), events.toString());
    assertTrue(events.stream().filter(ConnectionEvent.Disconnected.class::isInstance)
        .allMatch(e -> ((ConnectionEvent.Disconnected) e).status().code() == 1012), events.toString());
    assertTrue(accepted.get() >= 6);
  }

  @Test
  void aConnectionOutlivesEveryReferenceToItsTransport() {
    VertxServerTransport.Handle server = start(session -> session.send(session.receive()));
    // No reference to the transport is kept here: the connection keeps its Vert.x client alive.
    var connection = VertxClientTransport.create(clientVertx, uri(server.port())).connect().block(DEADLINE);
    afterTest(() -> connection.close(CloseStatus.NORMAL).block(DEADLINE));
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    connection.send(reactor.core.publisher.Mono.just(WsFrame.text("still here"))).block(DEADLINE);
    assertEquals(WsFrame.text("still here"), connection.receive().blockFirst(DEADLINE));
  }

  /** Accepts TCP connections and never says a word; counts them, and the ones the client closes. */
  private static final class SilentServer implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger closedByPeer = new AtomicInteger();

    SilentServer() throws IOException {
      listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor = new Thread(this::acceptLoop, "silent-server");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    private void acceptLoop() {
      while (!listener.isClosed()) {
        try {
          Socket socket = listener.accept();
          sockets.add(socket);
          accepted.incrementAndGet();
          Thread reader = new Thread(() -> {
            try {
              while (socket.getInputStream().read() >= 0) {
                // swallow the request, answer nothing
              }
              closedByPeer.incrementAndGet();
            } catch (IOException reset) {
              closedByPeer.incrementAndGet();
            }
          }, "silent-server-reader");
          reader.setDaemon(true);
          reader.start();
        } catch (IOException closing) {
          return;
        }
      }
    }

    @Override
    public void close() {
      try {
        listener.close();
        for (Socket socket : sockets) {
          socket.close();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
