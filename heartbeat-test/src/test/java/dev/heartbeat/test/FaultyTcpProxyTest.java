package dev.heartbeat.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy over plain sockets: forwards, freezes without closing, resumes in order, cuts. */
class FaultyTcpProxyTest {

  private ServerSocket echo;
  private FaultyTcpProxy proxy;

  @BeforeEach
  void startEcho() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread server = new Thread(() -> {
      try (Socket s = echo.accept()) {
        s.getInputStream().transferTo(s.getOutputStream());
      } catch (IOException ignored) {
        // reset by the test
      }
    });
    server.setDaemon(true);
    server.start();
    proxy = FaultyTcpProxy.start(echo.getLocalPort());
  }

  @AfterEach
  void stop() throws IOException {
    proxy.close();
    echo.close();
  }

  private static byte[] read(InputStream in, int n) throws IOException {
    return in.readNBytes(n);
  }

  @Test
  void forwardsFreezesWithoutClosingAndResumesInOrder() throws IOException {
    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      client.setSoTimeout(5_000);
      client.getOutputStream().write(new byte[] {1, 2});
      assertArrayEquals(new byte[] {1, 2}, read(client.getInputStream(), 2));

      proxy.freeze();
      client.getOutputStream().write(new byte[] {3, 4});
      client.setSoTimeout(300); // a deadline for the absence of bytes
      assertThrows(SocketTimeoutException.class, () -> client.getInputStream().read());
      assertEquals(2, proxy.openSockets(), "frozen, not closed");

      proxy.resume();
      client.setSoTimeout(5_000);
      assertArrayEquals(new byte[] {3, 4}, read(client.getInputStream(), 2));
    }
  }

  @Test
  void cutAllResetsTheConnection() throws IOException {
    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      client.setSoTimeout(5_000);
      client.getOutputStream().write(7);
      assertEquals(7, client.getInputStream().read());
      proxy.cutAll();
      assertThrows(IOException.class, () -> {
        // A reset shows as an exception on read (or, at the latest, on a following write).
        if (client.getInputStream().read() < 0) {
          throw new IOException("end of stream");
        }
      });
    }
  }
}
