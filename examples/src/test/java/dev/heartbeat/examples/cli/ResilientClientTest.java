package dev.heartbeat.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.examples.DemoServer;
import dev.heartbeat.examples.TransportName;
import dev.heartbeat.examples.chat.ChatServer;
import dev.heartbeat.examples.testkit.JavaProcess;
import dev.heartbeat.examples.testkit.Lines;
import dev.heartbeat.examples.testkit.WsPeer;
import dev.heartbeat.transport.ServerHandle;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The command-line client's lines, over real sockets, against servers that misbehave. */
class ResilientClientTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String FAST_HEARTBEATS = "300";
  private static final String FAST_TIMEOUT = "3000"; // drops are seen by 1006 here, not by silence
  private static final HeartbeatPolicy JSON_HEARTBEATS = HeartbeatPolicy.builder().codec(HeartbeatCodec.json())
      .interval(Duration.ofMillis(300)).timeout(Duration.ofSeconds(3)).build();

  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
  }

  private int chatServer() {
    ServerHandle chat = ChatServer.start(ChatServer.Options.defaults().port(0)
        .heartbeat(Duration.ofMillis(300), Duration.ofSeconds(3))).block(WAIT);
    cleanup.add(() -> chat.shutdown().block(WAIT));
    return chat.port();
  }

  private ResilientClient.Running client(Lines lines, InputStream stdin, String... args) {
    ResilientClient.Running running = ResilientClient.start(List.of(args), stdin, lines);
    cleanup.add(() -> {
      running.stop();
      running.exitCode().block(WAIT);
    });
    return running;
  }

  private static InputStream noInput() {
    return new ByteArrayInputStream(new byte[0]);
  }

  private static int indexOf(Lines lines, String prefix) {
    List<String> all = lines.all();
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).startsWith(prefix)) {
        return i;
      }
    }
    throw new AssertionError("no line starting with '" + prefix + "' in " + all);
  }

  @ParameterizedTest
  @EnumSource(TransportName.class)
  void printsItsLifeLineByLineAndStopsForGoodWhenTheSameUserConnectsElsewhere(TransportName transport) {
    int port = chatServer();
    Lines lines = new Lines();
    ResilientClient.Running alice = client(lines, noInput(), "--url", "ws://127.0.0.1:" + port + "/ws?user=alice",
        "--format", "json", "--transport", transport.id(), "--interval-ms", FAST_HEARTBEATS, "--timeout-ms", FAST_TIMEOUT,
        "--send", "{\"type\":\"chat\",\"text\":\"hi\"}");

    lines.await("connected attempt=0", WAIT);
    String chat = lines.await("message text={\"type\":\"chat\",\"user\":\"alice\",\"text\":\"hi\"", WAIT);
    lines.await(line -> line.matches("rtt=\\d+(\\.\\d+)?ms"), 1, WAIT, "a round trip");
    assertTrue(indexOf(lines, "connecting attempt=0") < indexOf(lines, "connected attempt=0"), lines.toString());
    assertTrue(indexOf(lines, "message text={\"type\":\"welcome\",\"user\":\"alice\"") < lines.all().indexOf(chat),
        lines.toString());

    try (WsPeer elsewhere = WsPeer.withHeartbeats(port, "/ws?user=alice", JSON_HEARTBEATS)) {
      assertEquals(ResilientClient.EXIT_STOPPED, alice.exitCode().block(WAIT));
      assertTrue(elsewhere.isOpen());
    }
    assertTrue(lines.all().contains(
        "disconnected code=4500 reason=\"superseded by a newer connection\" reconnect=false"), lines.toString());
    List<String> all = lines.all();
    assertEquals("stopped code=4500 reason=\"superseded by a newer connection\"", all.get(all.size() - 1));
    assertEquals(List.of(), lines.matching(line -> line.startsWith("reconnect")), "no reconnect after 4500");
  }

  /** The server dies as in a crash (SIGKILL: no close frame), then comes back on the same port. */
  @Test
  void reconnectsAfterTheServerIsKilledAndStartedAgain() throws IOException {
    Map<String, String> env = Map.of("PORT", "0", "HB_INTERVAL_MS", FAST_HEARTBEATS, "HB_TIMEOUT_MS", FAST_TIMEOUT);
    JavaProcess first = JavaProcess.start(DemoServer.class, env);
    cleanup.add(first);
    int port = first.awaitPort("DemoServer listening on ", WAIT);

    PipedOutputStream typing = new PipedOutputStream();
    PipedInputStream stdin = new PipedInputStream(typing);
    Lines lines = new Lines();
    ResilientClient.Running client = client(lines, stdin, "--url", "ws://127.0.0.1:" + port + "/ws",
        "--interval-ms", FAST_HEARTBEATS, "--timeout-ms", FAST_TIMEOUT,
        "--min-backoff-ms", "100", "--max-backoff-ms", "400", "--stdin");
    lines.await("connected attempt=0", WAIT);
    type(typing, "before the crash");
    lines.await("message text=before the crash", WAIT);

    first.kill();
    first.awaitExit(WAIT);
    lines.await(line -> line.startsWith("disconnected code=1006") && line.contains("reconnect=true"), 1, WAIT,
        "the drop");
    lines.await("reconnect attempt=1 in=", WAIT);
    lines.await(line -> line.startsWith("reconnect attempt=2 in="), 1, WAIT, "a failed reconnect, and the next");

    JavaProcess second = JavaProcess.start(DemoServer.class, Map.of("PORT", Integer.toString(port),
        "HB_INTERVAL_MS", FAST_HEARTBEATS, "HB_TIMEOUT_MS", FAST_TIMEOUT));
    cleanup.add(second);
    assertEquals(port, second.awaitPort("DemoServer listening on ", WAIT));
    String reconnected = lines.await(line -> line.startsWith("connected attempt="), 2, WAIT, "the reconnect");
    assertTrue(!reconnected.equals("connected attempt=0"), lines.toString());
    type(typing, "after the restart");
    lines.await("message text=after the restart", WAIT);

    typing.close(); // end of input: the client closes and ends
    assertEquals(ResilientClient.EXIT_STOPPED, client.exitCode().block(WAIT));
    List<String> all = lines.all();
    assertEquals("closed", all.get(all.size() - 1));
  }

  private static void type(OutputStream stdin, String line) throws IOException {
    stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    stdin.flush();
  }

  @Test
  void givesUpAfterItsMaximumAttemptsWithExitCode1() throws IOException {
    int nothingListens;
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      nothingListens = taken.getLocalPort();
    }
    Lines lines = new Lines();
    int code = ResilientClient.run(List.of("--url", "ws://127.0.0.1:" + nothingListens + "/ws", "--max-attempts", "2",
        "--min-backoff-ms", "50", "--max-backoff-ms", "100"), noInput(), lines, error -> { });
    assertEquals(ResilientClient.EXIT_GAVE_UP, code, lines.toString());
    List<String> all = lines.all();
    assertEquals(List.of("connecting attempt=0", "connecting attempt=1", "connecting attempt=2"),
        lines.matching(line -> line.startsWith("connecting")), lines.toString());
    assertEquals(2, lines.matching(line -> line.startsWith("reconnect attempt=")).size(), lines.toString());
    assertTrue(all.get(all.size() - 1).startsWith("gave-up attempts=2 cause="), lines.toString());
  }

  @Test
  void badArgumentsPrintTheUsageAndExit2NamingTheArgument() {
    String url = "ws://127.0.0.1:9/ws";
    assertUsage("--url", List.of());
    assertUsage("--url", List.of("--url"));
    assertUsage("--url", List.of("--url", "http://127.0.0.1/ws"));
    assertUsage("--format", List.of("--url", url, "--format", "xml"));
    assertUsage("--transport", List.of("--url", url, "--transport", "jetty"));
    assertUsage("--interval-ms", List.of("--url", url, "--interval-ms", "soon"));
    assertUsage("--timeout-ms", List.of("--url", url, "--interval-ms", "2000", "--timeout-ms", "1000"));
    assertUsage("--min-backoff-ms", List.of("--url", url, "--min-backoff-ms", "5000", "--max-backoff-ms", "1000"));
    assertUsage("--max-attempts", List.of("--url", url, "--max-attempts", "0"));
    assertUsage("--retries", List.of("--url", url, "--retries", "3"));

    Lines help = new Lines();
    assertEquals(0, ResilientClient.run(List.of("--help"), noInput(), help, error -> { }));
    assertTrue(help.all().get(0).startsWith("usage:"), help.toString());
  }

  private static void assertUsage(String argument, List<String> args) {
    Lines out = new Lines();
    Lines err = new Lines();
    assertEquals(ResilientClient.EXIT_USAGE, ResilientClient.run(args, noInput(), out, err), args.toString());
    assertTrue(err.all().get(0).startsWith(argument + ":"), args + " -> " + err.all());
    assertTrue(err.all().stream().anyMatch(line -> line.startsWith("usage:")), err.toString());
    assertEquals(List.of(), out.all(), "nothing on stdout");
  }

  /** As a process: its exit code is the one scripts read. */
  @Test
  void asAProcessItExits0AfterATerminalCloseAnd2OnBadArguments() {
    int port = chatServer();
    try (JavaProcess bob = JavaProcess.start(ResilientClient.class, Map.of(), "--url",
        "ws://127.0.0.1:" + port + "/ws?user=bob", "--format", "json", "--interval-ms", FAST_HEARTBEATS,
        "--timeout-ms", FAST_TIMEOUT)) {
      bob.output().await("connected attempt=0", WAIT);
      try (WsPeer elsewhere = WsPeer.withHeartbeats(port, "/ws?user=bob", JSON_HEARTBEATS)) {
        assertEquals(0, bob.awaitExit(WAIT), bob.output().toString());
        assertTrue(elsewhere.isOpen());
      }
      assertTrue(bob.output().all().contains("stopped code=4500 reason=\"superseded by a newer connection\""),
          bob.output().toString());
    }
    try (JavaProcess confused = JavaProcess.start(ResilientClient.class, Map.of(), "--url", "ftp://example")) {
      assertEquals(2, confused.awaitExit(WAIT), confused.output().toString());
      assertTrue(confused.output().all().get(0).startsWith("--url:"), confused.output().toString());
    }
  }
}
