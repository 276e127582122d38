package dev.heartbeat.vertx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.Heartbeat;
import dev.heartbeat.HeartbeatConnection;
import dev.heartbeat.HeartbeatEvent;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.test.NodeWs;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** Node's {@code ws}, a peer this project did not write, against Vert.x in both roles. */
class VertxNodeInteropTest extends VertxSocketTest {

  private static final HeartbeatPolicy PINGS = HeartbeatPolicy.builder().codec(HeartbeatCodec.pingFrames())
      .interval(Duration.ofMillis(200)).timeout(Duration.ofSeconds(2)).build();

  private NodeWs.Peer node(String script, String... args) {
    NodeWs.Peer peer = NodeWs.run(script, args);
    afterTest(peer::close);
    return peer;
  }

  @Test
  void aNodeClientAnswersTheServersPingsAndItsCloseCodeArrives() {
    Sinks.One<HeartbeatConnection> atServer = Sinks.one();
    List<HeartbeatEvent> events = new CopyOnWriteArrayList<>();
    VertxServerTransport.Handle server = start(Heartbeat.handler(PINGS, session -> {
      session.events().subscribe(events::add); // before any frame is read: the client pings on open
      atServer.tryEmitValue(session);
      return session.send(session.receive());
    }));
    NodeWs.Peer peer = node("""
        const WebSocket = require('ws');
        const ws = new WebSocket(process.argv[2]);
        let pings = 0, pongs = 0;
        ws.on('open', () => { ws.ping('n1'); ws.send('hello'); });
        ws.on('pong', (data) => console.log('pong ' + data + ' ' + (++pongs)));
        ws.on('message', (data) => console.log('message ' + data));
        ws.on('ping', () => { if (++pings === 3) { console.log('pings 3, pongs ' + pongs); ws.close(4001, 'bye'); } });
        ws.on('close', (code, reason) => { console.log('close ' + code + ' ' + reason); process.exit(0); });
        ws.on('error', (e) => console.log('error ' + e.message));
        """, uri(server.port()).toString());
    HeartbeatConnection session = atServer.asMono().block(DEADLINE);

    peer.awaitLine(line -> line.equals("message hello"), DEADLINE);
    assertEquals("pings 3, pongs 1", peer.awaitLine(line -> line.startsWith("pings 3"), DEADLINE),
        "its ping is answered once: by the core, Vert.x does not answer it too");
    CloseStatus closed = session.onClose().block(DEADLINE);
    assertEquals(4001, closed.code());
    assertEquals("bye", closed.reason());
    assertTrue(events.stream().anyMatch(HeartbeatEvent.Answered.class::isInstance), "ws answers pings: " + events);
    assertTrue(events.stream().anyMatch(HeartbeatEvent.PeerHeartbeat.class::isInstance), "its ping reached the core: " + events);
  }

  @Test
  void closeCodesBothWaysWithANodeClientAnEmptyCloseIs1005AndOversizeIs1009() {
    List<CloseStatus> atServer = new CopyOnWriteArrayList<>();
    VertxServerTransport.Handle server = start(session -> {
      session.onClose().subscribe(atServer::add);
      return session.receive().concatMap(frame -> {
        String text = frame instanceof WsFrame.Text t ? t.text() : "";
        return text.equals("kick me") ? session.close(CloseStatus.SUPERSEDED) : Mono.<Void>empty();
      }).then();
    });
    // One after the other: kicked with 4500; a close frame without a code; one 300 kB message
    // compressed (permessage-deflate, ws's default) and one not: both over the limits.
    NodeWs.Peer peer = node("""
        const WebSocket = require('ws');
        const url = process.argv[2];
        const steps = [
          (next) => { const ws = new WebSocket(url);
            ws.on('open', () => ws.send('kick me'));
            ws.on('close', (code, reason) => { console.log('kicked ' + code + ' ' + reason); next(); }); },
          (next) => { const ws = new WebSocket(url);
            ws.on('open', () => ws.close());
            ws.on('close', (code) => { console.log('quiet ' + code); next(); }); },
          (next) => { const ws = new WebSocket(url);
            ws.on('open', () => ws.send(Buffer.alloc(300000)));
            ws.on('error', () => { });
            ws.on('close', (code) => { console.log('compressed ' + code); next(); }); },
          (next) => { const ws = new WebSocket(url, { perMessageDeflate: false });
            ws.on('open', () => ws.send(Buffer.alloc(300000)));
            ws.on('error', () => { });
            ws.on('close', (code) => { console.log('raw ' + code); next(); }); },
        ];
        const run = (i) => i < steps.length ? steps[i](() => run(i + 1)) : process.exit(0);
        run(0);
        """, uri(server.port()).toString());
    assertEquals("kicked 4500 superseded by a newer connection", peer.awaitLine(line -> line.startsWith("kicked"), DEADLINE));
    // ws reports the code of the echo, and Vert.x echoes a close without a code as 1000.
    assertEquals("quiet 1000", peer.awaitLine(line -> line.startsWith("quiet"), DEADLINE));
    assertEquals("compressed 1009", peer.awaitLine(line -> line.startsWith("compressed"), DEADLINE));
    assertEquals("raw 1009", peer.awaitLine(line -> line.startsWith("raw"), DEADLINE));
    VertxTesting.await("four closes at the server", () -> atServer.size() == 4);
    assertEquals(List.of(4500, 1005, 1009, 1009), atServer.stream().map(CloseStatus::code).toList());
  }

  @Test
  void aVertxClientSpeaksJsonHeartbeatsToANodeServerAndReadsItsCloseCode() {
    // The usual hand-written Node server: answers {"type":"heartbeat"} with heartbeat_ack.
    NodeWs.Peer peer = node("""
        const { WebSocketServer } = require('ws');
        const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => console.log('port ' + wss.address().port));
        wss.on('connection', (ws) => {
          ws.on('message', (data, isBinary) => {
            const text = data.toString();
            let type;
            try { type = JSON.parse(text).type; } catch (e) { }
            if (type === 'heartbeat') { ws.send(JSON.stringify({ type: 'heartbeat_ack' })); console.log('heartbeat'); return; }
            if (text === 'kick me') { ws.close(4500, 'superseded'); return; }
            ws.send(data, { binary: isBinary });
          });
          ws.on('close', (code, reason) => console.log('close ' + code + ' ' + reason));
        });
        """);
    int port = Integer.parseInt(peer.awaitLine(line -> line.startsWith("port "), DEADLINE).substring(5));
    HeartbeatPolicy json = HeartbeatPolicy.builder().codec(HeartbeatCodec.json())
        .interval(Duration.ofMillis(200)).timeout(Duration.ofSeconds(2)).build();
    HeartbeatConnection client = Heartbeat.operator(json)
        .apply(connect(client(URI.create("ws://127.0.0.1:" + port + "/"), VertxWebSocketOptions.defaults())));
    StepVerifier.create(client.events().ofType(HeartbeatEvent.Answered.class).take(2)).expectNextCount(2).verifyComplete();
    List<WsFrame> received = new CopyOnWriteArrayList<>();
    client.receive().subscribe(received::add, e -> { });
    client.send(Mono.just(WsFrame.text("echo me"))).block(DEADLINE);
    VertxTesting.await("the echo", () -> !received.isEmpty());
    assertEquals(List.of(WsFrame.text("echo me")), received, "heartbeat acks never reach the application");
    client.send(Mono.just(WsFrame.text("kick me"))).block(DEADLINE);
    CloseStatus closed = client.onClose().block(DEADLINE);
    assertEquals(4500, closed.code());
    assertEquals("superseded", closed.reason());
    peer.awaitLine(line -> line.equals("close 4500 superseded"), DEADLINE);
  }

  @Test
  void aVertxClientsCloseCodeReachesANodeServer() {
    NodeWs.Peer peer = node("""
        const { WebSocketServer } = require('ws');
        const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => console.log('port ' + wss.address().port));
        wss.on('connection', (ws) => ws.on('close', (code, reason) => console.log('close ' + code + ' ' + reason)));
        """);
    int port = Integer.parseInt(peer.awaitLine(line -> line.startsWith("port "), DEADLINE).substring(5));
    var client = connect(client(URI.create("ws://127.0.0.1:" + port + "/"), VertxWebSocketOptions.defaults()));
    client.close(CloseStatus.of(4001, "token expired")).block(DEADLINE);
    peer.awaitLine(line -> line.equals("close 4001 token expired"), DEADLINE);
    assertEquals(4001, client.onClose().block(DEADLINE).code());
  }
}
