package dev.heartbeat.examples.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.examples.TransportName;
import dev.heartbeat.examples.testkit.Await;
import dev.heartbeat.examples.testkit.Http;
import dev.heartbeat.examples.testkit.Lines;
import dev.heartbeat.examples.testkit.WsPeer;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.server.CloseCause;
import dev.heartbeat.transport.ServerHandle;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The chat server over real sockets, on both transports: the protocol, the handshake rules, the feeds. */
class ChatServerTest {

  private static final Duration INTERVAL = Duration.ofMillis(300);
  /** Nothing here measures the timeout: long enough that no peer dies of a slow, shared machine. */
  private static final Duration TIMEOUT = Duration.ofSeconds(3);
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final HeartbeatPolicy JSON_HEARTBEATS = HeartbeatPolicy.builder()
      .codec(HeartbeatCodec.json()).interval(INTERVAL).timeout(TIMEOUT).build();

  private final List<AutoCloseable> open = new ArrayList<>();
  private ServerHandle server;

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable closeable : open) {
      closeable.close();
    }
    if (server != null) {
      server.shutdown().block(Duration.ofSeconds(15));
    }
  }

  private int start(TransportName transport) {
    return start(transport, 0);
  }

  private int start(TransportName transport, int port) {
    server = ChatServer.start(options(transport).port(port)).block(WAIT);
    return server.port();
  }

  private static ChatServer.Options options(TransportName transport) {
    return ChatServer.Options.defaults()
        .transport(transport.id())
        .heartbeat(INTERVAL, TIMEOUT)
        .dashboardEvery(Duration.ofMillis(100))
        .webRoot("testweb");
  }

  private WsPeer join(int port, String user) {
    WsPeer peer = WsPeer.withHeartbeats(port, "/ws?user=" + user, JSON_HEARTBEATS);
    open.add(peer);
    return peer;
  }

  private static JsonNode next(WsPeer peer) {
    return Http.parse(peer.nextText(WAIT));
  }

  private static JsonNode nextOfType(WsPeer peer, String type) {
    JsonNode message = next(peer);
    assertEquals(type, message.path("type").asText(), message.toString());
    return message;
  }

  private static List<String> users(JsonNode presence) {
    List<String> users = new ArrayList<>();
    presence.path("users").forEach(user -> users.add(user.asText()));
    return users;
  }

  @ParameterizedTest
  @EnumSource(TransportName.class)
  void welcomesEachUserThenBroadcastsEveryLineInOneOrderToAll(TransportName transport) {
    int port = start(transport);
    WsPeer alice = join(port, "alice");
    JsonNode welcome = nextOfType(alice, "welcome");
    assertEquals("alice", welcome.path("user").asText());
    assertFalse(welcome.path("id").asText().isEmpty(), welcome.toString());
    assertEquals(List.of("alice"), users(nextOfType(alice, "presence")));

    WsPeer bob = join(port, "bob");
    JsonNode bobWelcome = nextOfType(bob, "welcome");
    assertEquals("bob", bobWelcome.path("user").asText());
    assertFalse(bobWelcome.path("id").asText().equals(welcome.path("id").asText()), "ids differ");
    assertEquals(List.of("alice", "bob"), users(nextOfType(bob, "presence")));
    assertEquals(List.of("alice", "bob"), users(nextOfType(alice, "presence")));

    int lines = 20;
    for (int i = 0; i < lines; i++) {
      (i % 2 == 0 ? alice : bob).send("{\"type\":\"chat\",\"text\":\"line " + i + "\"}");
    }
    List<String> seenByAlice = new ArrayList<>();
    List<String> seenByBob = new ArrayList<>();
    long lastTime = 0;
    for (int i = 0; i < lines; i++) {
      JsonNode line = nextOfType(alice, "chat");
      assertTrue(line.path("time").asLong() >= lastTime, "times never go back: " + line);
      lastTime = line.path("time").asLong();
      assertTrue(line.path("time").asLong() > 1_600_000_000_000L, "epoch millis: " + line);
      seenByAlice.add(line.path("user").asText() + ":" + line.path("text").asText());
      JsonNode same = nextOfType(bob, "chat");
      seenByBob.add(same.path("user").asText() + ":" + same.path("text").asText());
    }
    assertEquals(seenByAlice, seenByBob, "one order for everyone");
    assertEquals(ownLines("alice", 0, lines), seenByAlice.stream().filter(l -> l.startsWith("alice:")).toList());
    assertEquals(ownLines("bob", 1, lines), seenByAlice.stream().filter(l -> l.startsWith("bob:")).toList());

    bob.close();
    assertEquals(List.of("alice"), users(nextOfType(alice, "presence")));
  }

  private static List<String> ownLines(String user, int first, int lines) {
    List<String> own = new ArrayList<>();
    for (int i = first; i < lines; i += 2) {
      own.add(user + ":line " + i);
    }
    return own;
  }

  @ParameterizedTest
  @EnumSource(TransportName.class)
  void refusesAnUpgradeWithoutAUserWith401(TransportName transport) {
    int port = start(transport);
    assertEquals(401, WsPeer.upgradeStatus(port, "/ws"));
    assertEquals(401, WsPeer.upgradeStatus(port, "/ws?user="));
    assertEquals(401, WsPeer.upgradeStatus(port, "/ws?user=%20%20"));
    assertEquals(401, WsPeer.upgradeStatus(port, "/ws?name=alice"));
    assertEquals(101, WsPeer.upgradeStatus(port, "/ws?user=alice"));
  }

  @ParameterizedTest
  @EnumSource(TransportName.class)
  void aNewerConnectionOfTheSameUserClosesTheOlderWith4500(TransportName transport) {
    int port = start(transport);
    WsPeer older = join(port, "alice");
    nextOfType(older, "welcome");
    nextOfType(older, "presence");

    WsPeer newer = join(port, "alice");
    assertEquals(CloseStatus.SUPERSEDED.code(), older.awaitClose(WAIT).code());
    assertEquals("alice", nextOfType(newer, "welcome").path("user").asText());
    assertEquals(List.of("alice"), users(nextOfType(newer, "presence")), "the newcomer is told who is here");

    newer.send("{\"type\":\"chat\",\"text\":\"still here\"}");
    assertEquals("still here", nextOfType(newer, "chat").path("text").asText());
    assertTrue(newer.isOpen());
    JsonNode stats = Await.until("the takeover counted", () -> Http.json(port, "/stats"),
        s -> s.path("closed").path("superseded").asInt() == 1, WAIT);
    assertEquals(1, stats.path("active").asInt(), stats.toString());
  }

  /** The chat page sends heartbeats of its own and measures their round trip from the acks. */
  @ParameterizedTest
  @EnumSource(TransportName.class)
  void answersTheClientsOwnJsonHeartbeats(TransportName transport) {
    int port = start(transport);
    WsPeer page = WsPeer.raw(port, "/ws?user=carol"); // sees every frame, heartbeats too
    open.add(page);
    assertEquals("welcome", next(page).path("type").asText());
    page.send("{\"type\":\"heartbeat\"}");
    boolean acked = false;
    for (int frames = 0; frames < 5 && !acked; frames++) {
      String text = page.nextText(WAIT);
      acked = text.equals("{\"type\":\"heartbeat_ack\"}");
      assertTrue(acked || text.contains("presence") || text.equals("{\"type\":\"heartbeat\"}"), text);
    }
    assertTrue(acked, "no heartbeat_ack");
  }

  /** Undecodable messages are dropped (DecodeErrorAction.DROP), counted, and the next ones read. */
  @ParameterizedTest
  @EnumSource(TransportName.class)
  void dropsWhatItCannotDecodeAndReadsOn(TransportName transport) {
    int port = start(transport);
    WsPeer alice = join(port, "alice");
    nextOfType(alice, "welcome");
    nextOfType(alice, "presence");
    alice.send("not json");
    alice.send(WsFrame.binary(new byte[] {1, 2, 3}));
    alice.send("{\"type\":\"dance\"}");
    alice.send("{\"type\":\"chat\",\"text\":\"" + "x".repeat(ChatProtocol.MAX_TEXT_LENGTH) + "\"}");
    alice.send("{\"type\":\"chat\",\"text\":\"after the bad ones\"}");
    assertEquals("after the bad ones", nextOfType(alice, "chat").path("text").asText());
    assertTrue(alice.isOpen());
    JsonNode stats = Http.json(port, "/stats");
    assertEquals(4, stats.path("decodeErrors").asInt(), stats.toString());
  }

  @ParameterizedTest
  @EnumSource(TransportName.class)
  void metricsArePrometheusTextWithTheLibrarysMeters(TransportName transport) {
    int port = start(transport);
    WsPeer alice = join(port, "alice");
    nextOfType(alice, "welcome");
    Await.until("a heartbeat answered", () -> Http.json(port, "/stats"),
        s -> s.path("heartbeats").path("answered").asInt() >= 1, WAIT);

    HttpResponse<String> metrics = Http.get(port, "/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.headers().firstValue("content-type").orElse("").startsWith("text/plain"), metrics.headers().toString());
    String tag = "transport=\"" + transport.id() + "\"";
    String body = metrics.body();
    for (String meter : List.of("heartbeat_connections_active{" + tag, "heartbeat_connections_opened_total{" + tag,
        "heartbeat_connections_closed_total{cause=\"superseded\"," + tag, "heartbeat_heartbeats_sent_total{" + tag,
        "heartbeat_heartbeats_answered_total{" + tag, "heartbeat_heartbeats_missed_total{" + tag,
        "heartbeat_rtt_seconds_bucket{" + tag, "heartbeat_messages_dropped_total{" + tag,
        "heartbeat_decode_errors_total{" + tag)) {
      assertTrue(body.contains(meter), meter + " missing from:\n" + body);
    }
    assertTrue(body.contains("heartbeat_connections_active{" + tag + "} 1.0"), body);
  }

  @ParameterizedTest
  @EnumSource(TransportName.class)
  void theDashboardFeedCarriesTheFiguresAsServerSentEvents(TransportName transport) {
    int port = start(transport);
    Lines events = new Lines();
    HttpResponse<Stream<String>> stream = Http.client().sendAsync(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/dashboard/events")).build(),
            HttpResponse.BodyHandlers.ofLines())
        .orTimeout(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .join();
    open.add(stream.body()::close);
    assertEquals(200, stream.statusCode());
    assertTrue(stream.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
    Thread reader = new Thread(() -> stream.body().forEach(events), "sse-reader");
    reader.setDaemon(true);
    reader.start();

    JsonNode first = event(events.await("data: ", WAIT));
    assertEquals(transport.id(), first.path("transport").asText(), first.toString());
    assertTrue(Math.abs(first.path("time").asLong() - System.currentTimeMillis()) < 60_000, first.toString());
    assertEquals(0, first.path("active").asInt());
    assertEquals(0, first.path("totalOpened").asInt());
    for (CloseCause cause : CloseCause.values()) {
      assertEquals(0, first.path("closed").path(cause.name().toLowerCase(Locale.ROOT)).asInt(-1), first.toString());
    }
    JsonNode rtt = first.path("rtt");
    assertEquals(0, rtt.path("count").asInt(-1));
    assertTrue(rtt.has("p50Ms") && rtt.has("p99Ms"), rtt.toString());
    assertEquals(Dashboard.BUCKET_BOUNDS_MS.length + 1, rtt.path("buckets").size(), rtt.toString());
    assertTrue(rtt.path("buckets").get(rtt.path("buckets").size() - 1).path("leMs").isNull(), rtt.toString());
    for (String field : List.of("sent", "answered", "missed")) {
      assertTrue(first.path("heartbeats").has(field), first.toString());
    }

    WsPeer alice = join(port, "alice");
    nextOfType(alice, "welcome");
    JsonNode joined = event(events.await(line -> line.startsWith("data: ") && event(line).path("active").asInt() == 1
        && event(line).path("rtt").path("count").asInt() >= 2, 1, WAIT, "an event with alice and two round trips"));
    assertEquals(1, joined.path("totalOpened").asInt(), joined.toString());
    long inBuckets = 0;
    for (JsonNode bucket : joined.path("rtt").path("buckets")) {
      inBuckets += bucket.path("count").asLong();
    }
    assertEquals(joined.path("rtt").path("count").asLong(), inBuckets, "every round trip in one bucket: " + joined);
    assertTrue(joined.path("rtt").path("p50Ms").asDouble() > 0, joined.toString());
    assertTrue(joined.path("heartbeats").path("answered").asInt() >= 2, joined.toString());

    alice.close();
    JsonNode left = event(events.await(line -> line.startsWith("data: ") && event(line).path("active").asInt() == 0
        && event(line).path("closed").path("normal").asInt() == 1, 1, WAIT, "an event after alice left"));
    assertEquals(1, left.path("totalOpened").asInt(), left.toString());
  }

  private static JsonNode event(String line) {
    return Http.parse(line.substring("data: ".length()));
  }

  @ParameterizedTest
  @EnumSource(TransportName.class)
  void servesThePagesAndNothingOutsideTheirFolder(TransportName transport) {
    int port = start(transport);
    HttpResponse<String> chat = Http.get(port, "/");
    assertEquals(200, chat.statusCode());
    assertTrue(chat.body().contains("test chat page"), chat.body());
    assertEquals("text/html; charset=utf-8", chat.headers().firstValue("content-type").orElse(""));
    HttpResponse<String> dashboard = Http.get(port, "/dashboard");
    assertEquals(200, dashboard.statusCode());
    assertTrue(dashboard.body().contains("test dashboard page"), dashboard.body());
    HttpResponse<String> script = Http.get(port, "/js/app.js");
    assertEquals(200, script.statusCode());
    assertEquals("text/javascript; charset=utf-8", script.headers().firstValue("content-type").orElse(""));
    assertEquals(200, Http.get(port, "/chat.html?v=2").statusCode());

    assertEquals(404, Http.get(port, "/missing.html").statusCode());
    assertEquals(404, Http.get(port, "/notes.txt").statusCode(), "unknown extensions are not served");
    assertEquals(404, Http.get(port, "/%2e%2e/secret.html").statusCode());
    assertEquals(404, Http.get(port, "/js/..%2f..%2fsecret.html").statusCode());
    assertEquals(200, Http.get(port, "/stats").statusCode());
  }

  @ParameterizedTest
  @EnumSource(TransportName.class)
  void aShutdownSays1001AndTheServerStartsAgainOnTheSamePort(TransportName transport) {
    int port = start(transport);
    WsPeer alice = join(port, "alice");
    nextOfType(alice, "welcome");
    server.shutdown().block(WAIT);
    assertEquals(CloseStatus.GOING_AWAY.code(), alice.awaitClose(WAIT).code());

    assertEquals(port, start(transport, port));
    WsPeer again = join(port, "alice");
    JsonNode welcome = nextOfType(again, "welcome");
    assertNotNull(welcome);
    JsonNode stats = Http.json(port, "/stats");
    assertEquals(1, stats.path("total").asInt(), "a fresh server: " + stats);
  }
}
