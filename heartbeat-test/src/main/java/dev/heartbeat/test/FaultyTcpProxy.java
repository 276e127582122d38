package dev.heartbeat.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy for real-socket fault tests: it forwards bytes between its clients and
 * a target port, and can stop doing so without closing anything, which is what a vanished
 * network or a stuck middlebox looks like to both ends (half-open TCP: no FIN, no RST, no
 * close event, ever).
 *
 * <ul>
 *   <li>{@link #freeze()}: no byte is forwarded in either direction; sockets stay open and
 *       bytes already read wait in the proxy. {@link #resume()} forwards them and what follows.</li>
 *   <li>{@link #cutAll()}: every proxied connection is reset (RST), both sides.</li>
 * </ul>
 *
 * <pre>{@code
 * try (FaultyTcpProxy proxy = FaultyTcpProxy.start(server.port())) {
 *   connect to "ws://127.0.0.1:" + proxy.port() + "/ws";
 *   proxy.freeze();   // the server goes silent, nothing is closed
 * }
 * }</pre>
 */
public final class FaultyTcpProxy implements AutoCloseable {

  private final ServerSocket listener;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Object gate = new Object();
  private volatile boolean frozen;
  private volatile boolean closed;

  private FaultyTcpProxy(ServerSocket listener, int targetPort) {
    this.listener = listener;
    this.targetPort = targetPort;
  }

  /** A proxy on a free loopback port that forwards to {@code targetPort} on loopback. */
  public static FaultyTcpProxy start(int targetPort) {
    try {
      ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      FaultyTcpProxy proxy = new FaultyTcpProxy(listener, targetPort);
      daemon("proxy-accept-" + listener.getLocalPort(), proxy::acceptLoop);
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The port clients connect to. */
  public int port() {
    return listener.getLocalPort();
  }

  /** Stops forwarding in both directions without closing anything. */
  public void freeze() {
    frozen = true;
  }

  /** Forwards again, starting with the bytes held while frozen. */
  public void resume() {
    synchronized (gate) {
      frozen = false;
      gate.notifyAll();
    }
  }

  /** Whether forwarding is stopped. */
  public boolean isFrozen() {
    return frozen;
  }

  /** Resets every proxied connection, client and target side: both ends see an abrupt drop. */
  public void cutAll() {
    for (Socket socket : sockets) {
      reset(socket);
    }
    sockets.clear();
  }

  /** How many proxied sockets (two per connection) are open now. */
  public int openSockets() {
    return (int) sockets.stream().filter(s -> !s.isClosed()).count();
  }

  /** Stops accepting and resets every proxied connection. */
  @Override
  public void close() {
    closed = true;
    resume();
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    cutAll();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        Socket target = new Socket();
        try {
          target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
        } catch (IOException refused) {
          reset(client);
          continue;
        }
        client.setTcpNoDelay(true);
        target.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(target);
        daemon("proxy-up-" + client.getPort(), () -> pump(client, target));
        daemon("proxy-down-" + client.getPort(), () -> pump(target, client));
      } catch (IOException e) {
        if (!closed) {
          continue; // a failed accept does not stop the proxy
        }
      }
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        awaitThaw();
        out.write(buffer, 0, n);
        out.flush();
      }
      // A clean end of stream is passed on as one.
      awaitThaw();
      to.shutdownOutput();
    } catch (SocketException reset) {
      reset(to);
    } catch (IOException | InterruptedException e) {
      reset(to);
    }
  }

  private void awaitThaw() throws InterruptedException {
    synchronized (gate) {
      while (frozen && !closed) {
        gate.wait();
      }
    }
  }

  private static void reset(Socket socket) {
    try {
      if (!socket.isClosed()) {
        socket.setSoLinger(true, 0); // RST, not FIN
        socket.close();
      }
    } catch (IOException ignored) {
      // already gone
    }
  }

  private static void daemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.start();
  }
}
