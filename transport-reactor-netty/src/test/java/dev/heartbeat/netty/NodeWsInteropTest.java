package dev.heartbeat.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.Heartbeat;
import dev.heartbeat.HeartbeatConnection;
import dev.heartbeat.HeartbeatEvent;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.test.NodeWs;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * Interop with Node's {@code ws} package, a peer this project did not write, installed from the
 * npm registry by the test kit: heartbeats in each format it is used with, both directions.
 */
class NodeWsInteropTest {

  private static final Duration DEADLINE = Loopback.DEADLINE;

  /** Prints every event of a ws client of argv[2]; its behaviour after 'open' comes from {@code onOpen}. */
  private static String client(String options, String onOpen, String onMessage) {
    return """
        const WebSocket = require('ws');
        const ws = new WebSocket(process.argv[2], %s);
        ws.on('open', () => { console.log('open'); %s });
        ws.on('ping', (data) => console.log('ping'));
        ws.on('pong', (data) => console.log('pong ' + data.toString()));
        ws.on('message', (data) => { const text = data.toString(); %s });
        ws.on('close', (code, reason) => { console.log('close ' + code + ' ' + reason.toString()); process.exit(0); });
        ws.on('error', (e) => console.log('error ' + e.message));
        """.formatted(options, onOpen, onMessage);
  }

  private final Loopback loopback = new Loopback();

  @BeforeAll
  static void install() {
    NodeWs.ensureInstalled();
  }

  @AfterEach
  void disposeAll() {
    loopback.disposeAll();
  }

  private static HeartbeatPolicy policy(HeartbeatCodec codec) {
    return HeartbeatPolicy.builder().codec(codec).interval(Duration.ofMillis(200)).timeout(Duration.ofSeconds(2)).build();
  }

  /** An echo server under {@code policy} whose sessions' heartbeat events go to {@code events}. */
  private NettyServerTransport.NettyServer server(HeartbeatPolicy policy, Sinks.Many<HeartbeatEvent> events) {
    return loopback.start(Heartbeat.handler(policy, session -> {
      session.events().subscribe(events::tryEmitNext);
      return session.send(session.receive());
    }));
  }

  private static boolean answered(HeartbeatEvent event) {
    return event instanceof HeartbeatEvent.Answered;
  }

  @Test
  void pingFramesBothWaysWithNodesWs() {
    Sinks.Many<HeartbeatEvent> events = Sinks.many().replay().all();
    NettyServerTransport.NettyServer server = server(policy(HeartbeatCodec.pingFrames()), events);
    try (NodeWs.Peer node = NodeWs.run(client("{}", "ws.ping('n1'); ws.send('hello');", "console.log('message ' + text);"),
        Loopback.uri(server.port()).toString())) {
      node.awaitLine("pong n1"::equals, DEADLINE);       // its ping, answered by the server's heartbeat operator
      node.awaitLine("ping"::equals, DEADLINE);          // the server's heartbeat reached it
      node.awaitLine("message hello"::equals, DEADLINE); // the application's echo, untouched
      StepVerifier.create(events.asFlux().filter(NodeWsInteropTest::answered).take(2)) // ws answers our pings by itself
          .expectNextCount(2).expectComplete().verify(DEADLINE);
      assertFalse(node.lines().stream().anyMatch(line -> line.startsWith("message p")), node.lines().toString());
    }
  }

  @Test
  void aNodePeerThatStopsAnsweringPingsIsDeclaredDeadAndReads4408() {
    Sinks.Many<HeartbeatEvent> events = Sinks.many().replay().all();
    HeartbeatPolicy strict = HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames())
        .interval(Duration.ofMillis(200)).timeout(Duration.ofMillis(800)).build();
    NettyServerTransport.NettyServer server = server(strict, events);
    // autoPong: false -- the socket stays open, but nothing answers the server's pings any more.
    try (NodeWs.Peer node = NodeWs.run(client("{ autoPong: false }", "", "console.log('message ' + text);"),
        Loopback.uri(server.port()).toString())) {
      node.awaitLine("open"::equals, DEADLINE);
      String close = node.awaitLine(line -> line.startsWith("close "), DEADLINE);
      assertTrue(close.startsWith("close 4408 no frame for"), close);
      StepVerifier.create(events.asFlux().filter(HeartbeatEvent.Dead.class::isInstance).take(1))
          .expectNextCount(1).expectComplete().verify(DEADLINE);
      assertTrue(events.asFlux().take(Duration.ofMillis(1)).collectList().block(DEADLINE).stream().noneMatch(NodeWsInteropTest::answered));
    }
  }

  @Test
  void textPingPongAsTheUsualHandWrittenJavaScriptDoesIt() {
    Sinks.Many<HeartbeatEvent> events = Sinks.many().replay().all();
    NettyServerTransport.NettyServer server = server(policy(HeartbeatCodec.textPingPong()), events);
    String onMessage = """
        if (text === 'ping') { ws.send('pong'); console.log('answered ping'); }
        else if (text === 'pong') console.log('got pong');
        else console.log('message ' + text);""";
    try (NodeWs.Peer node = NodeWs.run(client("{}", "ws.send('ping'); ws.send('app');", onMessage),
        Loopback.uri(server.port()).toString())) {
      node.awaitLine("got pong"::equals, DEADLINE);      // the server answered its "ping"
      node.awaitLine("answered ping"::equals, DEADLINE); // the server's "ping" reached it
      node.awaitLine("message app"::equals, DEADLINE);
      StepVerifier.create(events.asFlux().filter(NodeWsInteropTest::answered).take(1))
          .expectNextCount(1).expectComplete().verify(DEADLINE);
      assertFalse(node.lines().contains("message ping"), "heartbeats are not echoed as messages: " + node.lines());
    }
  }

  @Test
  void jsonHeartbeatsWithNode() {
    Sinks.Many<HeartbeatEvent> events = Sinks.many().replay().all();
    NettyServerTransport.NettyServer server = server(policy(HeartbeatCodec.json()), events);
    String onMessage = """
        const m = JSON.parse(text);
        if (m.type === 'heartbeat') { ws.send(JSON.stringify({ type: 'heartbeat_ack' })); console.log('acked'); }
        else if (m.type === 'heartbeat_ack') console.log('got ack');
        else console.log('message ' + JSON.stringify(m));""";
    try (NodeWs.Peer node = NodeWs.run(client("{}",
        "ws.send(JSON.stringify({ type: 'heartbeat' })); ws.send(JSON.stringify({ type: 'chat', text: 'hi' }));", onMessage),
        Loopback.uri(server.port()).toString())) {
      node.awaitLine("got ack"::equals, DEADLINE);
      node.awaitLine("acked"::equals, DEADLINE);
      node.awaitLine("message {\"type\":\"chat\",\"text\":\"hi\"}"::equals, DEADLINE);
      StepVerifier.create(events.asFlux().filter(NodeWsInteropTest::answered).take(1))
          .expectNextCount(1).expectComplete().verify(DEADLINE);
    }
  }

  @Test
  void aNodeMessageOverTheLimitIsClosedWith1009() {
    NettyServerTransport.NettyServer server = server(policy(HeartbeatCodec.pingFrames()), Sinks.many().replay().all());
    try (NodeWs.Peer node = NodeWs.run(client("{}", "ws.send(Buffer.alloc(70000));", "console.log('message ' + text);"),
        Loopback.uri(server.port()).toString())) {
      String close = node.awaitLine(line -> line.startsWith("close "), DEADLINE);
      assertTrue(close.startsWith("close 1009"), close);
    }
  }

  @Test
  void theClientTalksToANodeServer() {
    String serverScript = """
        const { WebSocketServer } = require('ws');
        const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
        wss.on('listening', () => console.log('port ' + wss.address().port));
        wss.on('connection', (ws) => {
          ws.on('message', (data, binary) => ws.send(data, { binary }));
          ws.on('ping', () => console.log('ping'));
        });
        """;
    try (NodeWs.Peer node = NodeWs.run(serverScript)) {
      int port = Integer.parseInt(node.awaitLine(line -> line.startsWith("port "), DEADLINE).substring(5));
      HeartbeatConnection client = Heartbeat.operator(policy(HeartbeatCodec.pingFrames()))
          .apply(loopback.connect(NettyClientTransport.create(URI.create("ws://127.0.0.1:" + port + "/"))));
      StepVerifier.create(client.events().filter(NodeWsInteropTest::answered).take(2)) // ws answers our pings
          .expectNextCount(2).expectComplete().verify(DEADLINE);
      node.awaitLine("ping"::equals, DEADLINE);
      client.send(reactor.core.publisher.Flux.just(WsFrame.text("hi"), WsFrame.binary(new byte[] {1, 2}))).block(DEADLINE);
      StepVerifier.create(client.receive().take(2))
          .expectNext(WsFrame.text("hi"), WsFrame.binary(new byte[] {1, 2}))
          .expectComplete().verify(DEADLINE);
      assertEquals(List.of(), node.lines().stream().filter(l -> l.startsWith("Error")).toList());
    }
  }
}
