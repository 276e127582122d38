package dev.heartbeat.vertx;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The guard every Vert.x test relies on works: blocking an event loop is caught, both by
 * Vert.x's blocked-thread checker and, for Reactor's {@code block()}, at once.
 */
class BlockingGuardTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = VertxTesting.vertx();
  }

  @AfterAll
  static void stop() {
    VertxTesting.close(vertx);
  }

  @Test
  void aBlockedEventLoopIsReported() {
    VertxTesting.BLOCKED.clear();
    long deadline = System.nanoTime() + VertxTesting.DEADLINE.toNanos();
    CompletableFuture<Void> done = new CompletableFuture<>();
    // Busy on the event loop until the checker notices (a sleep in disguise, on purpose).
    vertx.runOnContext(ignored -> {
      while (VertxTesting.BLOCKED.isEmpty() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      done.complete(null);
    });
    done.orTimeout(20, TimeUnit.SECONDS).join();
    List<String> blocked = List.copyOf(VertxTesting.BLOCKED);
    VertxTesting.BLOCKED.clear();
    assertFalse(blocked.isEmpty(), "the checker reports a loop busy for over 250 ms");
    assertTrue(blocked.get(0).startsWith("vert.x-eventloop-thread-"), blocked.get(0));
    assertTrue(blocked.get(0).contains("BlockingGuardTest"), "reported while blocked, with the frames of the task: " + blocked.get(0));
  }

  @Test
  void aLoopIdleInItsSelectorIsNotTakenForABlockedOne() {
    CompletableFuture<Thread> loop = new CompletableFuture<>();
    vertx.runOnContext(ignored -> loop.complete(Thread.currentThread()));
    Thread thread = loop.orTimeout(10, TimeUnit.SECONDS).join();
    VertxTesting.await("the loop back in its selector", () -> VertxTesting.waitingForIo(thread.getStackTrace()));
    assertFalse(VertxTesting.waitingForIo(Thread.currentThread().getStackTrace()), "a thread at work is not waiting for I/O");
  }

  @Test
  void blockingOnAnEventLoopFailsAtOnce() {
    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    vertx.runOnContext(ignored -> {
      try {
        Mono.never().block(Duration.ofSeconds(5));
        failure.complete(null);
      } catch (Throwable error) {
        failure.complete(error);
      }
    });
    Throwable error = failure.orTimeout(10, TimeUnit.SECONDS).join();
    assertTrue(error instanceof IllegalStateException && error.getMessage().contains("not supported in thread vert.x-eventloop"),
        String.valueOf(error));
    VertxTesting.assertNoEventLoopBlocked();
  }
}
