package dev.heartbeat.examples;

import dev.heartbeat.Heartbeat;
import dev.heartbeat.HeartbeatConnection;
import dev.heartbeat.HeartbeatEvent;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.local.LocalClientTransport;
import dev.heartbeat.local.LocalServerTransport;
import dev.heartbeat.reconnect.ConnectionEvent;
import dev.heartbeat.reconnect.ReconnectStrategy;
import dev.heartbeat.reconnect.ReconnectingSession;
import dev.heartbeat.transport.MonotonicScheduler;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A ten-second tour of what the library does, over the in-memory transport (no network, no
 * port): a server and a reconnecting client with JSON heartbeats, then the failures every
 * WebSocket application meets: a network that vanishes without a close (half-open), a server
 * crash and restart, and a newer session taking over (4500). One line per event.
 *
 * <p>Swapping the in-memory transport for Reactor Netty or Vert.x changes the two lines that
 * create {@code server} and {@code transport}; the rest stays as it is.
 */
public final class LocalDemo {

  private static final long START = System.nanoTime();

  public static void main(String[] args) throws Exception {
    Scheduler loop = MonotonicScheduler.wrap(Schedulers.newSingle("demo-loop", true));
    HeartbeatPolicy policy = HeartbeatPolicy.builder()
        .codec(HeartbeatCodec.json())               // {"type":"heartbeat"} / {"type":"heartbeat_ack"}
        .interval(Duration.ofMillis(500))
        .timeout(Duration.ofMillis(1500))
        .build();

    // Server: heartbeats on every connection, echoes every message.
    SessionHandler<WebSocketConnection> echo = Heartbeat.handler(policy, session -> session.send(session.receive()));
    LocalServerTransport server = LocalServerTransport.create(loop);
    server.start(echo).block();

    // Client: one session that survives reconnects, with the same heartbeat policy.
    ReconnectingSession session = ReconnectingSession.builder(LocalClientTransport.create(server, loop))
        .strategy(ReconnectStrategy.builder().minDelay(Duration.ofMillis(300)).maxDelay(Duration.ofSeconds(2)).build())
        .decorator(connection -> {
          HeartbeatConnection watched = Heartbeat.operator(policy).apply(connection);
          watched.events().ofType(HeartbeatEvent.Answered.class)
              .subscribe(answered -> log("rtt=" + answered.rtt().toNanos() / 1000 + "us"));
          return watched;
        })
        .build();
    session.events().subscribe(LocalDemo::describe);
    session.receive().subscribe(frame -> log("message " + frame));
    session.start();
    session.send(WsFrame.text("hello")).block();

    Thread.sleep(1_200);
    log("-- the network vanishes: no frame arrives, no close is ever seen (half-open TCP)");
    server.connections().forEach(pair -> pair.toClient().blackhole());
    Thread.sleep(2_500);
    session.send(WsFrame.text("still here after the heartbeat timeout")).block();

    Thread.sleep(1_000);
    log("-- the server crashes; messages sent meanwhile wait in the offline queue");
    var dropped = session.events().ofType(ConnectionEvent.Disconnected.class).next().toFuture();
    server.kill();
    dropped.get(1, TimeUnit.SECONDS);
    session.send(WsFrame.text("sent while the server was down")).block();
    Thread.sleep(1_500);
    log("-- the server is back");
    server.start(echo).block();

    Thread.sleep(1_500);
    log("-- the same user opens a newer session elsewhere: the server closes this one with 4500");
    server.connections().forEach(pair -> pair.server().close(CloseStatus.SUPERSEDED).subscribe());
    session.onTerminate().block(Duration.ofSeconds(5));
    log("-- done: the client did not reconnect after 4500");
    loop.dispose();
  }

  private static void describe(ConnectionEvent event) {
    if (event instanceof ConnectionEvent.Connected connected) {
      log("connected attempt=" + connected.attempt());
    } else if (event instanceof ConnectionEvent.Disconnected d) {
      log("disconnected code=" + d.status().code() + " reason=\"" + d.status().reason() + "\" reconnect=" + d.willReconnect());
    } else if (event instanceof ConnectionEvent.ReconnectScheduled r) {
      log("reconnect attempt=" + r.attempt() + " in=" + r.delay().toMillis() + "ms");
    } else if (event instanceof ConnectionEvent.GaveUp g) {
      log("gave-up cause=" + g.cause());
    } else if (event instanceof ConnectionEvent.MessageDropped m) {
      log("dropped " + m.frame() + " reason=" + m.reason());
    }
  }

  private static void log(String line) {
    System.out.printf("%6d ms  %s%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - START), line);
  }
}
