package dev.heartbeat.vertx;

import static dev.heartbeat.vertx.VertxTesting.DEADLINE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

class ContextSchedulerTest {

  private static Vertx vertx;
  private static ContextInternal context;
  private static Thread loop;

  @BeforeAll
  static void start() throws Exception {
    vertx = VertxTesting.vertx();
    context = (ContextInternal) vertx.getOrCreateContext();
    CompletableFuture<Thread> thread = new CompletableFuture<>();
    context.runOnContext(ignored -> thread.complete(Thread.currentThread()));
    loop = thread.get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    VertxTesting.close(vertx);
  }

  @AfterEach
  void noEventLoopBlocked() {
    VertxTesting.assertNoEventLoopBlocked();
  }

  @Test
  void oneSchedulerPerContextAndForItsDuplicates() {
    ContextScheduler scheduler = ContextScheduler.of(context);
    assertSame(scheduler, ContextScheduler.of(context));
    assertSame(scheduler, ContextScheduler.of(context.duplicate()), "a request's duplicated context shares it");
    assertSame(context, scheduler.context());
    ContextInternal other = ((VertxInternal) vertx).createEventLoopContext();
    assertNotSame(scheduler, ContextScheduler.of(other), "another context has its own");
  }

  @Test
  void tasksRunOnTheContextThreadWithTheContextCurrent() {
    Scheduler scheduler = ContextScheduler.of(context);
    CompletableFuture<Context> now = new CompletableFuture<>();
    CompletableFuture<Thread> later = new CompletableFuture<>();
    scheduler.schedule(() -> now.complete(Vertx.currentContext()));
    scheduler.schedule(() -> later.complete(Thread.currentThread()), 20, TimeUnit.MILLISECONDS);
    assertSame(context, now.orTimeout(10, TimeUnit.SECONDS).join());
    assertSame(loop, later.orTimeout(10, TimeUnit.SECONDS).join());
    Thread delayed = Mono.delay(Duration.ofMillis(5), scheduler).map(tick -> Thread.currentThread()).block(DEADLINE);
    assertSame(loop, delayed, "Reactor's time operators on it fire on the context");
  }

  @Test
  void aDisposedTaskNeverRunsAndDelaysAreRespected() {
    Scheduler scheduler = ContextScheduler.of(context);
    AtomicInteger cancelledRuns = new AtomicInteger();
    Disposable cancelled = scheduler.schedule(cancelledRuns::incrementAndGet, 50, TimeUnit.MILLISECONDS);
    cancelled.dispose();
    assertTrue(cancelled.isDisposed());
    long start = System.nanoTime();
    CompletableFuture<Long> ran = new CompletableFuture<>();
    scheduler.schedule(() -> ran.complete(System.nanoTime()), 150, TimeUnit.MILLISECONDS);
    long elapsed = ran.orTimeout(10, TimeUnit.SECONDS).join() - start;
    assertTrue(elapsed >= TimeUnit.MILLISECONDS.toNanos(150), "ran after " + elapsed / 1_000_000 + " ms");
    assertEquals(0, cancelledRuns.get(), "the disposed task, due 100 ms earlier, did not run");
  }

  @Test
  void periodicTasksRepeatUntilDisposed() {
    Scheduler scheduler = ContextScheduler.of(context);
    List<Thread> runs = new CopyOnWriteArrayList<>();
    Disposable periodic = scheduler.schedulePeriodically(() -> runs.add(Thread.currentThread()), 0, 10, TimeUnit.MILLISECONDS);
    VertxTesting.await("three periodic runs", () -> runs.size() >= 3);
    periodic.dispose();
    int atDispose = runs.size();
    // A task scheduled after the dispose runs after any run that was already due.
    CompletableFuture<Void> marker = new CompletableFuture<>();
    scheduler.schedule(() -> marker.complete(null), 50, TimeUnit.MILLISECONDS);
    marker.orTimeout(10, TimeUnit.SECONDS).join();
    assertTrue(runs.size() <= atDispose + 1, "no run after the dispose (one may have been in flight): " + runs.size());
    assertTrue(runs.stream().allMatch(thread -> thread == loop));
    assertThrows(IllegalArgumentException.class, () -> scheduler.schedulePeriodically(() -> { }, 0, 0, TimeUnit.MILLISECONDS));
  }

  @Test
  void aWorkerRunsInOrderAndItsDisposeCancelsWhatIsPending() {
    Scheduler.Worker worker = ContextScheduler.of(context).createWorker();
    List<Integer> order = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 100; i++) {
      int n = i;
      worker.schedule(() -> order.add(n));
    }
    AtomicInteger late = new AtomicInteger();
    worker.schedule(late::incrementAndGet, 100, TimeUnit.MILLISECONDS);
    VertxTesting.await("100 tasks", () -> order.size() == 100);
    assertEquals(java.util.stream.IntStream.range(0, 100).boxed().toList(), order);
    worker.dispose();
    assertTrue(worker.isDisposed());
    CompletableFuture<Void> marker = new CompletableFuture<>();
    ContextScheduler.of(context).schedule(() -> marker.complete(null), 200, TimeUnit.MILLISECONDS);
    marker.orTimeout(10, TimeUnit.SECONDS).join();
    assertEquals(0, late.get());
    assertThrows(java.util.concurrent.RejectedExecutionException.class, () -> worker.schedule(() -> { }));
  }

  @Test
  void itsClockIsMonotonicNanoTime() {
    Scheduler scheduler = ContextScheduler.of(context);
    long before = System.nanoTime();
    long now = scheduler.now(TimeUnit.NANOSECONDS);
    assertTrue(now >= before && now - before < TimeUnit.SECONDS.toNanos(1));
    scheduler.dispose();
    assertFalse(scheduler.isDisposed(), "shared by the context's connections: dispose does nothing");
  }
}
