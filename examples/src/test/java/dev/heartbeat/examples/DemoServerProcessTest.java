package dev.heartbeat.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.examples.testkit.Await;
import dev.heartbeat.examples.testkit.Http;
import dev.heartbeat.examples.testkit.JavaProcess;
import dev.heartbeat.examples.testkit.WsPeer;
import dev.heartbeat.frame.CloseStatus;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo server as a load test runs it: a process of its own, configured by its environment. */
class DemoServerProcessTest {

  private static final Duration START = Duration.ofSeconds(30);

  /** The port of a demo server process, read from the line it prints when it listens. */
  static int portOf(JavaProcess server) {
    return server.awaitPort("DemoServer listening on ws://", START);
  }

  @Test
  void runsConfiguredByItsEnvironmentAndStopsGracefullyOnSigterm() {
    try (JavaProcess server = JavaProcess.start(DemoServer.class, Map.of("PORT", "0", "TRANSPORT", "vertx",
        "HB_FORMAT", "json", "HB_INTERVAL_MS", "300", "HB_TIMEOUT_MS", "3000"))) {
      int port = portOf(server);
      JsonNode stats = Http.json(port, "/stats");
      assertEquals(server.pid(), stats.path("pid").asLong(), stats.toString());
      assertEquals("vertx", stats.path("transport").asText());
      assertEquals("json", stats.path("heartbeatFormat").asText());
      assertEquals(300, stats.path("intervalMs").asInt());
      assertEquals(3000, stats.path("timeoutMs").asInt());

      HeartbeatPolicy json = HeartbeatPolicy.builder().codec(HeartbeatCodec.json())
          .interval(Duration.ofMillis(300)).timeout(Duration.ofSeconds(3)).build();
      try (WsPeer peer = WsPeer.withHeartbeats(port, "/ws", json)) {
        Await.until("the client counted", () -> Http.json(port, "/stats"), s -> s.path("active").asInt() == 1,
            Duration.ofSeconds(10));
        server.terminate(); // SIGTERM
        assertEquals(CloseStatus.GOING_AWAY.code(), peer.awaitClose(Duration.ofSeconds(10)).code());
      }
      assertEquals(143, server.awaitExit(Duration.ofSeconds(15)), "128 + SIGTERM; output:\n" + server.output());
    }
  }

  @Test
  void aBadVariableStopsItAtStartNamingTheVariable() {
    try (JavaProcess server = JavaProcess.start(DemoServer.class, Map.of("PORT", "0", "HB_FORMAT", "xml"))) {
      assertEquals(2, server.awaitExit(START), server.output().toString());
      assertTrue(server.output().all().stream().anyMatch(line -> line.contains("HB_FORMAT: must be one of")),
          server.output().toString());
    }
  }
}
