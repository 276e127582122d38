package dev.heartbeat.examples;

import dev.heartbeat.Heartbeat;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.reconnect.ConnectionEvent;
import dev.heartbeat.reconnect.ReconnectStrategy;
import dev.heartbeat.reconnect.ReconnectingSession;
import dev.heartbeat.transport.ClientTransport;
import dev.heartbeat.transport.ServerHandle;
import dev.heartbeat.transport.ServerTransport;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import reactor.core.publisher.Mono;

/**
 * A chat echo server and a reconnecting client over real sockets, written once for every
 * transport: the caller says how to create the two endpoints, nothing else differs. It shows
 * JSON heartbeats, a graceful server restart (1001: the client comes back) and a takeover
 * (4500: it does not).
 *
 * <p>See {@link VertxEchoChat} for the Vert.x endpoints; a Reactor Netty twin changes only
 * those two lines (and the dependency).
 */
public final class EchoChat {

  private EchoChat() {}

  /**
   * Runs the demo and returns the lines it logged.
   *
   * @param serverAt the server endpoint on a port (0 for any free one)
   * @param clientAt the client endpoint for a server's port
   */
  public static List<String> run(IntFunction<ServerTransport> serverAt, IntFunction<ClientTransport> clientAt,
      Consumer<String> log) {
    List<String> lines = new CopyOnWriteArrayList<>();
    Consumer<String> out = line -> {
      lines.add(line);
      log.accept(line);
    };
    HeartbeatPolicy policy = HeartbeatPolicy.builder()
        .codec(HeartbeatCodec.json())                 // {"type":"heartbeat"} / {"type":"heartbeat_ack"}
        .interval(Duration.ofMillis(300))
        .timeout(Duration.ofSeconds(1))
        .build();
    SessionHandler<WebSocketConnection> echo = Heartbeat.handler(policy, session -> session.send(session.receive()));
    SessionHandler<WebSocketConnection> kicking = Heartbeat.handler(policy, session -> session.receive()
        .concatMap(frame -> frame.equals(WsFrame.text("kick me")) ? session.close(CloseStatus.SUPERSEDED) : Mono.<Void>empty())
        .then());

    ServerHandle server = serverAt.apply(0).start(echo).block(Duration.ofSeconds(10));
    int port = server.port();
    ReconnectingSession session = ReconnectingSession.builder(clientAt.apply(port))
        .strategy(ReconnectStrategy.builder().minDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(1)).build())
        .decorator(Heartbeat.operator(policy))
        .build();
    session.events().subscribe(event -> describe(event, out));
    session.receive().subscribe(frame -> out.accept("message " + frame));
    session.start();

    session.send(WsFrame.text("hello")).block(Duration.ofSeconds(10));
    await(lines, "message Text[text=hello]", 1);
    out.accept("-- the server restarts gracefully: clients get 1001 and come back");
    server.shutdown().block(Duration.ofSeconds(10));
    await(lines, "disconnected code=1001", 1);
    ServerHandle restarted = serverAt.apply(port).start(kicking).block(Duration.ofSeconds(10));
    await(lines, "connected attempt=", 2);
    out.accept("-- the same user opens a newer session elsewhere: 4500, no reconnect");
    session.send(WsFrame.text("kick me")).block(Duration.ofSeconds(10));
    session.onTerminate().block(Duration.ofSeconds(10));
    restarted.shutdown().block(Duration.ofSeconds(10));
    out.accept("-- done");
    return lines;
  }

  private static void await(List<String> lines, String prefix, int count) {
    Mono.fromCallable(() -> lines.stream().filter(line -> line.startsWith(prefix)).count() >= count)
        .filter(found -> found)
        .repeatWhenEmpty(100, ticks -> ticks.delayElements(Duration.ofMillis(50)))
        .block(Duration.ofSeconds(10));
  }

  private static void describe(ConnectionEvent event, Consumer<String> out) {
    if (event instanceof ConnectionEvent.Connected connected) {
      out.accept("connected attempt=" + connected.attempt());
    } else if (event instanceof ConnectionEvent.Disconnected d) {
      out.accept("disconnected code=" + d.status().code() + " reason=\"" + d.status().reason() + "\" reconnect=" + d.willReconnect());
    } else if (event instanceof ConnectionEvent.ReconnectScheduled r) {
      out.accept("reconnect attempt=" + r.attempt() + " in=" + r.delay().toMillis() + "ms");
    }
  }
}
