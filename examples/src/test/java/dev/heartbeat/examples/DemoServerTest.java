package dev.heartbeat.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.examples.testkit.Await;
import dev.heartbeat.examples.testkit.Http;
import dev.heartbeat.examples.testkit.WsPeer;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.server.CloseCause;
import dev.heartbeat.test.FaultyTcpProxy;
import dev.heartbeat.transport.ServerHandle;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The demo server over real sockets on both transports: its figures, its echo, its dead-peer closes. */
class DemoServerTest {

  private static final Duration INTERVAL = Duration.ofMillis(200);
  private static final Duration TIMEOUT = Duration.ofMillis(600);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private ServerHandle server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.shutdown().block(Duration.ofSeconds(15));
    }
  }

  private int start(TransportName transport, HeartbeatCodec format) {
    server = DemoServer.start(DemoServer.Config.defaults()
            .transport(transport)
            .port(0)
            .format(format)
            .heartbeat(INTERVAL, TIMEOUT))
        .block(WAIT);
    return server.port();
  }

  private static HeartbeatPolicy clientPolicy(HeartbeatCodec format) {
    return HeartbeatPolicy.builder().codec(format).interval(INTERVAL).timeout(TIMEOUT).build();
  }

  private static JsonNode statsWhen(int port, String what, java.util.function.Predicate<JsonNode> done) {
    return Await.until(what, () -> Http.json(port, "/stats"), done, WAIT);
  }

  @ParameterizedTest
  @EnumSource(TransportName.class)
  void statsNameTheServerAndCountItsConnections(TransportName transport) {
    int port = start(transport, HeartbeatCodec.pingFrames());
    JsonNode stats = Http.json(port, "/stats");
    assertEquals(transport.id(), stats.path("transport").asText(), stats.toString());
    assertEquals("ping-frame", stats.path("heartbeatFormat").asText());
    assertEquals(200, stats.path("intervalMs").asInt());
    assertEquals(600, stats.path("timeoutMs").asInt());
    assertEquals(0, stats.path("active").asInt());
    assertEquals(0, stats.path("total").asInt());
    assertEquals(0, stats.path("closedByTimeout").asInt());
    assertEquals(ProcessHandle.current().pid(), stats.path("pid").asLong());
    assertTrue(stats.path("heapUsedBytes").asLong() > 0, stats.toString());
    for (CloseCause cause : CloseCause.values()) {
      assertTrue(stats.path("closed").has(cause.name().toLowerCase(Locale.ROOT)), stats.toString());
    }

    try (WsPeer first = WsPeer.withHeartbeats(port, "/ws", clientPolicy(HeartbeatCodec.pingFrames()));
        WsPeer second = WsPeer.withHeartbeats(port, "/ws", clientPolicy(HeartbeatCodec.pingFrames()))) {
      JsonNode open = statsWhen(port, "two open", s -> s.path("active").asInt() == 2);
      assertEquals(2, open.path("total").asInt(), open.toString());
      JsonNode beating = statsWhen(port, "heartbeats answered", s -> s.path("heartbeats").path("answered").asInt() >= 2);
      assertTrue(beating.path("heartbeats").path("sent").asInt() >= 2, beating.toString());
    }
    JsonNode closed = statsWhen(port, "both closed", s -> s.path("active").asInt() == 0);
    assertEquals(2, closed.path("total").asInt(), closed.toString());
    assertEquals(2, closed.path("closed").path("normal").asInt(), closed.toString());
    assertEquals(0, closed.path("closedByTimeout").asInt(), closed.toString());
  }

  @ParameterizedTest
  @EnumSource(TransportName.class)
  void echoesTextAndBinaryMessagesExactlyAsTheyCame(TransportName transport) {
    int port = start(transport, HeartbeatCodec.pingFrames());
    byte[] notUtf8 = {0, (byte) 0xFF, (byte) 0xC3, 0x28, 127, -128};
    String large = "x".repeat(60_000);
    try (WsPeer peer = WsPeer.withHeartbeats(port, "/ws", clientPolicy(HeartbeatCodec.pingFrames()))) {
      peer.send(WsFrame.text("hello"));
      peer.send(WsFrame.binary(notUtf8));
      peer.send(WsFrame.text(""));
      peer.send(WsFrame.text("héllo ✓ \n {\"type\":\"chat\"}"));
      peer.send(WsFrame.text(large));

      assertEquals(WsFrame.text("hello"), peer.next(WAIT));
      WsFrame binary = peer.next(WAIT);
      assertTrue(binary instanceof WsFrame.Binary, binary.toString());
      assertArrayEquals(notUtf8, ((WsFrame.Binary) binary).bytes());
      assertEquals(WsFrame.text(""), peer.next(WAIT));
      assertEquals(WsFrame.text("héllo ✓ \n {\"type\":\"chat\"}"), peer.next(WAIT));
      assertEquals(large, ((WsFrame.Text) peer.next(WAIT)).text());
    }
  }

  /** A raw client answers no heartbeat of any format: the server must close it with 4408, in time. */
  @ParameterizedTest
  @CsvSource({"NETTY, ping-frame", "VERTX, ping-frame", "NETTY, json", "VERTX, text"})
  void closesAPeerThatDoesNotAnswerWithinTheTimeoutAndOneInterval(TransportName transport, String format) {
    int port = start(transport, Settings.format("format", format));
    try (WsPeer silent = WsPeer.raw(port, "/ws")) {
      CloseStatus status = silent.awaitClose(WAIT);
      assertEquals(CloseStatus.HEARTBEAT_TIMEOUT.code(), status.code(), status.toString());
      Duration after = silent.closedAfter();
      // Silent from the start: dead at the timeout, found by the sweep well within one interval.
      assertTrue(after.compareTo(TIMEOUT.minusMillis(100)) >= 0, "closed too early: " + after);
      assertTrue(after.compareTo(TIMEOUT.plus(INTERVAL)) <= 0, "closed too late: " + after);
    }
    JsonNode stats = statsWhen(port, "the close counted", s -> s.path("closedByTimeout").asInt() == 1);
    assertEquals(0, stats.path("active").asInt(), stats.toString());
    assertEquals(1, stats.path("closed").path("heartbeat_timeout").asInt(), stats.toString());
  }

  /**
   * A half-open peer: a client that answered every heartbeat goes silent behind a frozen proxy,
   * without a FIN. {@code active} drops within the timeout and one interval of the freeze (plus
   * what measuring over HTTP takes), {@code closedByTimeout} once the transport let go of it.
   */
  @ParameterizedTest
  @EnumSource(TransportName.class)
  void findsAHalfOpenPeerBehindAFrozenProxy(TransportName transport) {
    int port = start(transport, HeartbeatCodec.pingFrames());
    try (FaultyTcpProxy proxy = FaultyTcpProxy.start(port);
        WsPeer peer = WsPeer.withHeartbeats(proxy.port(), "/ws", clientPolicy(HeartbeatCodec.pingFrames()))) {
      JsonNode alive = statsWhen(port, "several answers through the proxy",
          s -> s.path("heartbeats").path("answered").asInt() >= 4);
      assertEquals(1, alive.path("active").asInt(), alive.toString());

      long frozenAt = System.nanoTime();
      proxy.freeze();
      Await.until("active drops to 0", () -> Http.json(port, "/stats"), s -> s.path("active").asInt() == 0,
          TIMEOUT.plus(INTERVAL).plusSeconds(2));
      Duration found = Duration.ofNanos(System.nanoTime() - frozenAt);
      Duration measuring = Duration.ofMillis(150); // polling every 20 ms, one HTTP round trip
      assertTrue(found.compareTo(TIMEOUT.plus(INTERVAL).plus(measuring)) <= 0, "found after " + found);

      JsonNode stats = statsWhen(port, "counted as a timeout", s -> s.path("closedByTimeout").asInt() == 1);
      assertEquals(0, stats.path("active").asInt(), stats.toString());
    }
  }

  @Test
  void theEnvironmentConfiguresIt() {
    DemoServer.Config config = DemoServer.Config.fromEnvironment(Map.of(
        "PORT", "9123", "TRANSPORT", "vertx", "HB_FORMAT", "json", "HB_INTERVAL_MS", "250", "HB_TIMEOUT_MS", "900"));
    assertEquals(9123, config.port());
    assertEquals(TransportName.VERTX, config.transport());
    HeartbeatPolicy policy = config.policy();
    assertEquals("json", policy.codec().name());
    assertEquals(Duration.ofMillis(250), policy.interval());
    assertEquals(Duration.ofMillis(900), policy.timeout());

    DemoServer.Config defaults = DemoServer.Config.fromEnvironment(Map.of());
    assertEquals(8080, defaults.port());
    assertEquals(TransportName.NETTY, defaults.transport());
    assertEquals("ping-frame", defaults.policy().codec().name());
    assertEquals(Duration.ofSeconds(1), defaults.policy().interval());
    assertEquals(Duration.ofSeconds(3), defaults.policy().timeout());
  }

  @Test
  void aBadVariableFailsNamingIt() {
    assertFailsNaming("PORT", Map.of("PORT", "eighty"));
    assertFailsNaming("PORT", Map.of("PORT", "70000"));
    assertFailsNaming("TRANSPORT", Map.of("TRANSPORT", "jetty"));
    assertFailsNaming("HB_FORMAT", Map.of("HB_FORMAT", "xml"));
    assertFailsNaming("HB_INTERVAL_MS", Map.of("HB_INTERVAL_MS", "0"));
    assertFailsNaming("HB_TIMEOUT_MS", Map.of("HB_TIMEOUT_MS", "-5"));
    assertFailsNaming("HB_TIMEOUT_MS", Map.of("HB_INTERVAL_MS", "2000", "HB_TIMEOUT_MS", "2000"));
    assertFailsNaming("HB_TIMEOUT_MS", Map.of("HB_INTERVAL_MS", "5000")); // the default timeout, 3 s, is too short then
  }

  @Test
  void configSettersCheckAtOnce() {
    DemoServer.Config config = DemoServer.Config.defaults();
    assertTrue(assertThrows(IllegalArgumentException.class, () -> config.port(-1)).getMessage().startsWith("port"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> config.heartbeat(Duration.ofSeconds(2), Duration.ofSeconds(1))).getMessage().startsWith("timeout"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> config.heartbeat(Duration.ZERO, Duration.ofSeconds(1))).getMessage().startsWith("interval"));
    assertTrue(assertThrows(NullPointerException.class, () -> config.format(null)).getMessage().startsWith("format"));
  }

  private static void assertFailsNaming(String variable, Map<String, String> env) {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> DemoServer.Config.fromEnvironment(env), env.toString());
    assertTrue(error.getMessage().startsWith(variable + ":"), error.getMessage());
  }
}
