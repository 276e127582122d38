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
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Vert.x instances for tests that make a blocked event loop fail the test: the blocked-thread
 * checker looks every 50 ms and reports any task running over 250 ms (Vert.x's default is
 * 2 s), and Reactor's {@code block()} throws at once on an event loop. A report that finds the
 * loop idle in its selector is printed, not counted: see {@link #vertx()}.
 */
final class VertxTesting {

  /** How long any condition may take to come true on a loaded 2-core machine. */
  static final Duration DEADLINE = Duration.ofSeconds(10);

  /** Event loops caught blocked, by name and duration; empty in a healthy run. */
  static final List<String> BLOCKED = new CopyOnWriteArrayList<>();

  static {
    // First, and in a class of its own: an event loop must not call into a class that is
    // still initializing (it would wait for this thread, which waits for it).
    WarmUp.run();
    // block()/blockFirst()/blockLast() on a Vert.x event loop throws IllegalStateException.
    Schedulers.registerNonBlockingThreadPredicate(VertxTesting::isEventLoop);
  }

  private VertxTesting() {}

  /** A Vert.x with two event loops whose blocked-thread checker records into {@link #BLOCKED}. */
  static Vertx vertx() {
    Vertx vertx = Vertx.vertx(new VertxOptions()
        .setEventLoopPoolSize(2)
        .setBlockedThreadCheckInterval(50).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
        .setMaxEventLoopExecuteTime(250).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS));
    ((VertxInternal) vertx).blockedThreadChecker().setThreadBlockedHandler(event -> {
      StackTraceElement[] frames = event.thread().getStackTrace();
      String report = event.thread().getName() + " blocked for " + event.duration() / 1_000_000 + " ms at " + stack(frames);
      if (waitingForIo(frames)) {
        // The checker looks every 50 ms, so a task that blocks is first reported while it still
        // blocks, its frames in the report. A report that finds the loop back in its selector
        // came late: the checker itself was not scheduled for most of that time, a stall of the
        // whole process (a pause, a starved host), not a task of ours that blocked.
        System.err.println("Not counted, the blocked-thread check came late (the process stalled): " + report);
      } else {
        BLOCKED.add(report);
      }
    });
    return vertx;
  }

  /** Whether an event loop's frames show it idle, waiting in its selector for I/O. */
  static boolean waitingForIo(StackTraceElement[] frames) {
    for (StackTraceElement frame : frames) {
      String type = frame.getClassName();
      if (type.startsWith("io.netty.channel.") && type.endsWith("IoHandler")
          && (frame.getMethodName().equals("select") || frame.getMethodName().startsWith("epollWait"))) {
        return true;
      }
    }
    return false;
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
        .timeout(DEADLINE, Mono.just(false))
        .block();
    if (!Boolean.TRUE.equals(met)) {
      throw new AssertionError("not within " + DEADLINE.toSeconds() + " s: " + what);
    }
  }

  static void close(Vertx vertx) {
    vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  /**
   * A server and a client Vert.x for a test class, closed after it, with the blocked-loop check
   * after each test: {@code @RegisterExtension static final VertxTesting.Instances VERTX = ...}
   * for classes whose base class is a suite of the test kit.
   */
  static final class Instances implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {
    private Vertx server;
    private Vertx client;

    @Override
    public void beforeAll(ExtensionContext context) {
      server = vertx();
      client = vertx();
    }

    @Override
    public void afterEach(ExtensionContext context) {
      assertNoEventLoopBlocked();
    }

    @Override
    public void afterAll(ExtensionContext context) {
      close(client);
      close(server);
    }

    Vertx server() {
      return server;
    }

    Vertx client() {
      return client;
    }
  }
}
