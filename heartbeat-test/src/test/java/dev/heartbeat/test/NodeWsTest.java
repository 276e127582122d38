package dev.heartbeat.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The Node peer installs itself and runs: the interop tests of every transport rely on it. */
class NodeWsTest {

  @Test
  void installsWsAndRunsAScript() {
    try (NodeWs.Peer peer = NodeWs.run(
        "const ws = require('ws'); console.log('ws ' + require('ws/package.json').version + ' ' + typeof ws.WebSocketServer);")) {
      assertEquals("ws " + NodeWs.WS_VERSION + " function",
          peer.awaitLine(line -> line.startsWith("ws "), Duration.ofSeconds(60)));
    }
  }
}
