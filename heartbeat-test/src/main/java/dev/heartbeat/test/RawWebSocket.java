package dev.heartbeat.test;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A bare RFC 6455 client on a {@link java.net.Socket}, for what a well-behaved client never
 * does: offer a forged {@code Origin}, flood pings, or stop reading while the server pushes.
 * Transport-neutral by construction: it speaks bytes, so the suite needs no transport's
 * exception type to read the HTTP status of a refused upgrade.
 *
 * <p>Frames it sends are masked, as a client's must be; it reads unfragmented frames, which is
 * what the servers under test send.
 */
final class RawWebSocket implements AutoCloseable {

  /** Opcodes of RFC 6455 §5.2. */
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  /** One frame as read; {@code fin}: its FIN bit (a frame to send is always final). */
  record Frame(int opcode, byte[] payload, boolean fin) {
    Frame(int opcode, byte[] payload) {
      this(opcode, payload, true);
    }

    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The close code of a close frame, or 1005 when it has none. */
    int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final int status;
  private final Map<String, String> responseHeaders;

  private RawWebSocket(Socket socket, DataInputStream in, int status, Map<String, String> responseHeaders)
      throws IOException {
    this.socket = socket;
    this.in = in;
    this.out = socket.getOutputStream();
    this.status = status;
    this.responseHeaders = responseHeaders;
  }

  /**
   * Sends an upgrade request for {@code pathAndQuery} to loopback {@code port} with
   * {@code headers} and reads the response head. The socket stays open whatever the status.
   *
   * @param receiveBuffer the socket's receive buffer in bytes (set before connecting, so that
   *     the TCP window stays small), or 0 for the system's default
   */
  static RawWebSocket open(int port, String pathAndQuery, Map<String, String> headers, int receiveBuffer, Duration timeout) {
    Socket socket = new Socket();
    try {
      if (receiveBuffer > 0) {
        socket.setReceiveBufferSize(receiveBuffer);
      }
      socket.setTcpNoDelay(true);
      socket.setSoTimeout((int) timeout.toMillis());
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) timeout.toMillis());
      String key = Base64.getEncoder().encodeToString(randomBytes(16));
      StringBuilder request = new StringBuilder()
          .append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
          .append("Host: 127.0.0.1:").append(port).append("\r\n")
          .append("Upgrade: websocket\r\n")
          .append("Connection: Upgrade\r\n")
          .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
          .append("Sec-WebSocket-Version: 13\r\n");
      headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
      request.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      String statusLine = readLine(in);
      String[] parts = statusLine.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP response: " + statusLine);
      }
      int status = Integer.parseInt(parts[1]);
      Map<String, String> responseHeaders = readHeaders(in);
      if (status == 101 && !accept(key).equals(responseHeaders.get("sec-websocket-accept"))) {
        throw new IOException("101 with a wrong Sec-WebSocket-Accept: " + responseHeaders);
      }
      return new RawWebSocket(socket, in, status, responseHeaders);
    } catch (IOException e) {
      closeQuietly(socket);
      throw new UncheckedIOException(e);
    }
  }

  /** The HTTP status the server answered an upgrade request with, the connection then closed. */
  static int upgradeStatus(int port, String pathAndQuery, Map<String, String> headers, Duration timeout) {
    try (RawWebSocket ws = open(port, pathAndQuery, headers, 0, timeout)) {
      return ws.status();
    }
  }

  /** The status of the upgrade response: 101 when upgraded. */
  int status() {
    return status;
  }

  /** The response headers, names lower-cased. */
  Map<String, String> responseHeaders() {
    return responseHeaders;
  }

  /** Writes {@code frames} in one go: each a masked, final frame. */
  void send(Frame... frames) {
    write(out, true, frames);
  }

  /**
   * Reads the next frame, waiting at most the socket's timeout.
   *
   * @throws EOFException when the server closed the TCP connection
   */
  Frame read() throws IOException {
    return read(in, false);
  }

  /** Writes {@code frames} to {@code out} in one go, each final, masked as a client's must be or not. */
  static void write(OutputStream out, boolean masked, Frame... frames) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (Frame frame : frames) {
      encode(frame, masked, bytes);
    }
    try {
      synchronized (out) {
        out.write(bytes.toByteArray());
        out.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads one frame from {@code in}: masked, as a client sends them, or not, as a server does;
   * a frame masked the other way, or with RSV bits, is an error.
   *
   * @throws EOFException when the peer closed the TCP connection
   */
  static Frame read(DataInputStream in, boolean masked) throws IOException {
    int b0 = in.read();
    if (b0 < 0) {
      throw new EOFException("closed by the peer");
    }
    int b1 = in.readUnsignedByte();
    long length = b1 & 0x7F;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    if (((b1 & 0x80) != 0) != masked) {
      throw new IOException(masked ? "a client's frame must be masked" : "a server's frame must not be masked");
    }
    if ((b0 & 0x70) != 0) {
      throw new IOException("RSV bits set with no extension agreed: " + Integer.toHexString(b0));
    }
    if (length > Integer.MAX_VALUE - 8) {
      throw new IOException("frame too long: " + length);
    }
    byte[] mask = new byte[4];
    if (masked) {
      in.readFully(mask);
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    for (int i = 0; masked && i < payload.length; i++) {
      payload[i] ^= mask[i & 3];
    }
    return new Frame(b0 & 0x0F, payload, (b0 & 0x80) != 0);
  }

  /** The header lines up to the blank one, names lower-cased. */
  static Map<String, String> readHeaders(InputStream in) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
    }
    return headers;
  }

  /** Whether the socket is closed on this side. */
  boolean isClosed() {
    return socket.isClosed();
  }

  /** Closes the socket without a close frame (the server sees 1006). */
  @Override
  public void close() {
    closeQuietly(socket);
  }

  private static void encode(Frame frame, boolean masked, ByteArrayOutputStream bytes) {
    byte[] payload = frame.payload();
    int maskBit = masked ? 0x80 : 0;
    bytes.write(0x80 | frame.opcode());
    if (payload.length < 126) {
      bytes.write(maskBit | payload.length);
    } else if (payload.length <= 0xFFFF) {
      bytes.write(maskBit | 126);
      bytes.write(payload.length >>> 8);
      bytes.write(payload.length & 0xFF);
    } else {
      bytes.write(maskBit | 127);
      long length = payload.length;
      for (int shift = 56; shift >= 0; shift -= 8) {
        bytes.write((int) (length >>> shift) & 0xFF);
      }
    }
    if (!masked) {
      bytes.write(payload, 0, payload.length);
      return;
    }
    byte[] mask = randomBytes(4);
    bytes.write(mask, 0, 4);
    for (int i = 0; i < payload.length; i++) {
      bytes.write(payload[i] ^ mask[i & 3]);
    }
  }

  static Frame frame(int opcode, String payload) {
    return new Frame(opcode, payload.getBytes(StandardCharsets.UTF_8));
  }

  static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("closed before the head ended: " + line);
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  static String accept(String key) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
