package dev.heartbeat.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.transport.ClientTransport;
import dev.heartbeat.transport.WebSocketConnection;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A bare RFC 6455 server on a {@link ServerSocket} (loopback, port 0), for what a real server
 * never sends a client: a text message that is not UTF-8. It answers one upgrade, then writes
 * the bytes it is given as unmasked final frames and reads the client's masked frames.
 *
 * <pre>{@code
 * try (RawWebSocketServer server = RawWebSocketServer.start()) {
 *   CompletableFuture<WebSocketConnection> client = transport.connect().toFuture();
 *   try (RawWebSocketServer.Peer peer = server.accept(DEADLINE)) {
 *     peer.sendText(new byte[] {(byte) 0xC3, '('});
 *     assertEquals(1007, peer.awaitCloseCode());
 *   }
 * }
 * }</pre>
 */
public final class RawWebSocketServer implements AutoCloseable {

  private final ServerSocket listener;

  private RawWebSocketServer(ServerSocket listener) {
    this.listener = listener;
  }

  /** Listens on a free loopback port. */
  public static RawWebSocketServer start() {
    try {
      return new RawWebSocketServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The client role's answer to a text message that is not UTF-8 (RFC 6455 §8.1), for any
   * transport: a client made by {@code clientFor(port)} receives a good message (with a U+FFFD
   * in it, which is good UTF-8), then one that is not UTF-8, then another good one. It delivers
   * the first only, and closes with 1007, which the server reads.
   */
  public static void checkAClientRefusesTextThatIsNotUtf8(IntFunction<ClientTransport> clientFor, Duration timeout)
      throws Exception {
    try (RawWebSocketServer server = start()) {
      CompletableFuture<? extends WebSocketConnection> connecting = clientFor.apply(server.port()).connect().toFuture();
      try (Peer peer = server.accept(timeout)) {
        WebSocketConnection client = connecting.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        List<String> received = new CopyOnWriteArrayList<>();
        client.receive().subscribe(frame -> received.add(String.valueOf(frame)), error -> { });
        peer.sendText("fine \uFFFD".getBytes(StandardCharsets.UTF_8)); // U+FFFD itself is good UTF-8
        peer.sendText(new byte[] {'b', 'a', 'd', (byte) 0xC3, '('});
        peer.sendText("after".getBytes(StandardCharsets.UTF_8));
        assertEquals(1007, peer.awaitCloseCode(), "the client's close frame");
        peer.close(); // the server's side of the close handshake: gone
        CloseStatus status = client.onClose().block(timeout);
        assertEquals(CloseStatus.INVALID_PAYLOAD.code(), status == null ? -1 : status.code(), String.valueOf(status));
        assertEquals(List.of(WsFrame.text("fine \uFFFD").toString()), received, "nothing from the bad message on");
      }
    }
  }

  /** The port it listens on. */
  public int port() {
    return listener.getLocalPort();
  }

  /**
   * Accepts the next connection and answers its upgrade with 101, waiting at most
   * {@code timeout} for each step.
   */
  public Peer accept(Duration timeout) {
    try {
      listener.setSoTimeout((int) timeout.toMillis());
      Socket socket = listener.accept();
      socket.setSoTimeout((int) timeout.toMillis());
      socket.setTcpNoDelay(true);
      DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      RawWebSocket.readLine(in); // GET ...
      String key = RawWebSocket.readHeaders(in).get("sec-websocket-key");
      if (key == null) {
        socket.close();
        throw new IOException("an upgrade request without Sec-WebSocket-Key");
      }
      Peer peer = new Peer(socket, in);
      peer.out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Accept: " + RawWebSocket.accept(key) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      peer.out.flush();
      return peer;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  /** One upgraded connection. */
  public static final class Peer implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private Peer(Socket socket, DataInputStream in) throws IOException {
      this.socket = socket;
      this.in = in;
      this.out = socket.getOutputStream();
    }

    /** Writes a final, unmasked text frame carrying {@code payload} as it is, UTF-8 or not. */
    public void sendText(byte[] payload) {
      RawWebSocket.write(out, false, new RawWebSocket.Frame(RawWebSocket.TEXT, payload));
    }

    /**
     * Reads the client's frames until its close frame and returns the close code (1005 when
     * the frame has none).
     *
     * @throws EOFException when the client drops the connection without one
     */
    public int awaitCloseCode() throws IOException {
      RawWebSocket.Frame frame = RawWebSocket.read(in, true);
      while (frame.opcode() != RawWebSocket.CLOSE) {
        frame = RawWebSocket.read(in, true);
      }
      return frame.closeCode();
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
