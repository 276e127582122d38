package dev.heartbeat.vertx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Vert.x instances for tests that make a blocked event loop fail the test: the blocked-thread
 * checker looks every 50 ms and reports any task running over 200 ms, and Reactor's
 * {@code block()} throws at once on an event loop.
 */
final class VertxTesting {

  /** How long any condition may take to come true on a loaded 2-core machine. */
  static final Duration DEADLINE = Duration.ofSeconds(10);

  /** Event loops caught blocked, by name and duration; empty in a healthy run. */
  static final List<String> BLOCKED = new CopyOnWriteArrayList<>();

  static {
    // block()/blockFirst()/blockLast() on a Vert.x event loop throws IllegalStateException.
    Schedulers.registerNonBlockingThreadPredicate(VertxTesting::isEventLoop);
    // One-time JVM work off the event loops: Netty's first pooled chunk registers a JFR event
    // class (200+ ms), which the checker would otherwise report against the first test.
    io.netty.buffer.ByteBufAllocator.DEFAULT.directBuffer(1024).release();
    io.netty.buffer.ByteBufAllocator.DEFAULT.heapBuffer(1024).release();
  }

  private VertxTesting() {}

  /** A Vert.x with two event loops whose blocked-thread checker records into {@link #BLOCKED}. */
  static Vertx vertx() {
    Vertx vertx = Vertx.vertx(new VertxOptions()
        .setEventLoopPoolSize(2)
        .setBlockedThreadCheckInterval(50).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
        .setMaxEventLoopExecuteTime(200).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS));
    ((VertxInternal) vertx).blockedThreadChecker().setThreadBlockedHandler(event ->
        BLOCKED.add(event.thread().getName() + " blocked for " + event.duration() / 1_000_000 + " ms at "
            + stack(event.thread().getStackTrace())));
    return vertx;
  }

  private static String stack(StackTraceElement[] frames) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < Math.min(frames.length, 25); i++) {
      text.append("\n    ").append(frames[i]);
    }
    return text.toString();
  }

  static boolean isEventLoop(Thread thread) {
    return thread.getName().startsWith("vert.x-eventloop-thread");
  }

  /** Fails when an event loop was blocked since the last call. */
  static void assertNoEventLoopBlocked() {
    List<String> blocked = List.copyOf(BLOCKED);
    BLOCKED.clear();
    assertEquals(List.of(), blocked, "event loops must never block");
  }

  /** Waits until {@code condition} holds, polling every 10 ms, or fails after {@link #DEADLINE}. */
  static void await(String what, BooleanSupplier condition) {
    Boolean met = Flux.interval(Duration.ZERO, Duration.ofMillis(10))
        .filter(tick -> condition.getAsBoolean())
        .next()
        .map(tick -> true)
        .timeout(DEADLINE, reactor.core.publisher.Mono.just(false))
        .block();
    if (!Boolean.TRUE.equals(met)) {
      throw new AssertionError("not within " + DEADLINE.toSeconds() + " s: " + what);
    }
  }

  static void close(Vertx vertx) {
    vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }
}
