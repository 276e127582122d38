package dev.heartbeat.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.Heartbeat;
import dev.heartbeat.HeartbeatConnection;
import dev.heartbeat.HeartbeatEvent;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.transport.WebSocketConnection;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.test.StepVerifier;

/** Heartbeat timers run on the channel's own event loop, one scheduler (one sweep) per loop. */
class EventLoopSchedulerTest {

  private static final Duration DEADLINE = Loopback.DEADLINE;

  private final Loopback loopback = new Loopback();
  private final DefaultEventLoopGroup group = new DefaultEventLoopGroup(2);

  @AfterEach
  void disposeAll() {
    loopback.disposeAll();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static HeartbeatPolicy fast() {
    return HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames())
        .interval(Duration.ofMillis(100)).timeout(Duration.ofSeconds(2)).build();
  }

  @Test
  void heartbeatsAreSentAndAnsweredOnTheChannelsEventLoopOnBothSides() {
    Sinks.Many<Boolean> serverSentOnItsLoop = Sinks.many().replay().all();
    NettyServerTransport.NettyServer server = loopback.start(Heartbeat.handler(fast(), session -> {
      EventLoop loop = ((EventLoopScheduler) session.scheduler()).eventLoop();
      session.events().filter(HeartbeatEvent.Sent.class::isInstance)
          .subscribe(sent -> serverSentOnItsLoop.tryEmitNext(loop.inEventLoop()));
      return session.send(session.receive());
    }));
    NettyWebSocketConnection raw = loopback.connect(server.port());
    HeartbeatConnection client = Heartbeat.operator(fast()).apply(raw);
    EventLoop clientLoop = raw.channel().eventLoop();
    List<String> threads = new CopyOnWriteArrayList<>();
    StepVerifier.create(client.events()
            .filter(e -> e instanceof HeartbeatEvent.Sent || e instanceof HeartbeatEvent.Answered)
            .doOnNext(e -> threads.add((clientLoop.inEventLoop() ? "loop " : "other ") + Thread.currentThread().getName()))
            .take(4))
        .expectNextCount(4).expectComplete().verify(DEADLINE);
    assertTrue(threads.stream().allMatch(t -> t.startsWith("loop ")), "client sweep and answers on its loop: " + threads);
    assertSame(raw.scheduler(), client.scheduler());
    assertEquals(List.of(true, true), serverSentOnItsLoop.asFlux().take(2).collectList().block(DEADLINE),
        "the server's sweep runs on the server channel's loop");
    EventLoop serverLoop = server.connections().get(0).channel().eventLoop();
    assertSame(serverLoop, ((EventLoopScheduler) server.connections().get(0).scheduler()).eventLoop());
  }

  @Test
  void connectionsOnOneEventLoopShareOneScheduler() {
    NettyServerTransport.NettyServer server = loopback.start(session -> session.onClose().then());
    List<NettyWebSocketConnection> clients = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      clients.add(loopback.connect(server.port()));
    }
    int sameLoopPairs = 0;
    for (NettyWebSocketConnection a : clients) {
      for (NettyWebSocketConnection b : clients) {
        if (a.channel().eventLoop() == b.channel().eventLoop()) {
          assertSame(a.scheduler(), b.scheduler(), "one scheduler per loop, so one sweep per loop");
          sameLoopPairs++;
        } else {
          assertNotSame(a.scheduler(), b.scheduler());
        }
      }
    }
    assertTrue(sameLoopPairs > clients.size(), "8 connections on at most 4 loops share some");
  }

  @Test
  void tasksRunOnTheLoopAndCancelledOnesDoNot() throws InterruptedException {
    EventLoop loop = group.next();
    Scheduler scheduler = EventLoopScheduler.of(loop);
    assertSame(scheduler, EventLoopScheduler.of(loop));
    CountDownLatch ran = new CountDownLatch(3);
    List<Boolean> onLoop = new CopyOnWriteArrayList<>();
    scheduler.schedule(() -> {
      onLoop.add(loop.inEventLoop());
      ran.countDown();
    });
    scheduler.schedule(() -> {
      onLoop.add(loop.inEventLoop());
      ran.countDown();
    }, 20, TimeUnit.MILLISECONDS);
    AtomicInteger cancelledRuns = new AtomicInteger();
    scheduler.schedule(cancelledRuns::incrementAndGet, 50, TimeUnit.MILLISECONDS).dispose();
    AtomicInteger periodic = new AtomicInteger();
    Disposable ticking = scheduler.schedulePeriodically(() -> {
      if (periodic.incrementAndGet() == 3) {
        ran.countDown();
      }
    }, 0, 10, TimeUnit.MILLISECONDS);
    assertTrue(ran.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
    ticking.dispose();
    // Anything scheduled after this runs after everything above, the 50 ms task included.
    CountDownLatch later = new CountDownLatch(1);
    scheduler.schedule(later::countDown, 100, TimeUnit.MILLISECONDS);
    assertTrue(later.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
    assertEquals(List.of(true, true), onLoop);
    assertEquals(0, cancelledRuns.get());
    scheduler.dispose();
    assertFalse(loop.isShuttingDown(), "disposing the scheduler leaves the event loop alone");
  }

  @Test
  void aWorkerRunsInOrderAndDisposingItCancelsItsTasks() throws InterruptedException {
    Scheduler scheduler = EventLoopScheduler.of(group.next());
    Scheduler.Worker worker = scheduler.createWorker();
    List<Integer> order = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    for (int i = 0; i < 5; i++) {
      int n = i;
      worker.schedule(() -> order.add(n));
    }
    worker.schedule(done::countDown);
    assertTrue(done.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
    assertEquals(List.of(0, 1, 2, 3, 4), order);
    AtomicInteger late = new AtomicInteger();
    worker.schedule(late::incrementAndGet, 50, TimeUnit.MILLISECONDS);
    worker.dispose();
    assertTrue(worker.isDisposed());
    CountDownLatch after = new CountDownLatch(1);
    scheduler.schedule(after::countDown, 100, TimeUnit.MILLISECONDS);
    assertTrue(after.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
    assertEquals(0, late.get(), "a disposed worker's pending task never runs");
  }

  @Test
  void itsClockIsMonotonicAndReactorOperatorsRunOnIt() {
    EventLoop loop = group.next();
    Scheduler scheduler = EventLoopScheduler.of(loop);
    long before = scheduler.now(TimeUnit.NANOSECONDS);
    List<Boolean> onLoop = Flux.interval(Duration.ofMillis(5), scheduler).take(3).map(i -> loop.inEventLoop())
        .concatWith(Mono.delay(Duration.ofMillis(5), scheduler).map(i -> loop.inEventLoop()))
        .collectList().block(DEADLINE);
    assertEquals(List.of(true, true, true, true), onLoop);
    long after = scheduler.now(TimeUnit.NANOSECONDS);
    assertTrue(after - before >= Duration.ofMillis(20).toNanos(), "nanoTime based: " + (after - before));
    assertTrue(Math.abs(scheduler.now(TimeUnit.NANOSECONDS) - System.nanoTime()) < Duration.ofSeconds(1).toNanos());
  }

  @Test
  void aConnectionsSchedulerIsItsLoops() {
    NettyServerTransport.NettyServer server = loopback.start(session -> session.onClose().then());
    WebSocketConnection client = loopback.connect(server.port());
    EventLoop loop = ((NettyWebSocketConnection) client).channel().eventLoop();
    assertSame(EventLoopScheduler.of(loop), client.scheduler());
  }
}
