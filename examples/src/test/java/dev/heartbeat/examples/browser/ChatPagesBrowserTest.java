package dev.heartbeat.examples.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.heartbeat.examples.chat.ChatServer;
import dev.heartbeat.examples.testkit.Await;
import dev.heartbeat.test.FaultyTcpProxy;
import dev.heartbeat.transport.ServerHandle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chat and dashboard pages in headless Chromium against a real {@link ChatServer}: the
 * JavaScript a user copies is run by a browser's own WebSocket and EventSource, not imitated.
 * The server sends a heartbeat every 500 ms and drops a peer silent for 1.5 s, so a page that
 * did not answer would be seen failing within the test.
 */
class ChatPagesBrowserTest {

  private static final Duration DEADLINE = Duration.ofSeconds(15);
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  /** The page's own timings, shortened through its URL: heartbeat, dead-server timeout, backoff cap. */
  private static final String PAGE_TIMINGS = "&heartbeat=500&timeout=2000&backoffMax=2000";

  private static Browser browser;
  private static String blankTab;

  private ChatServer.Options options;
  private ServerHandle server;
  private DashboardFeed feed;

  @BeforeAll
  static void startBrowser() {
    browser = Browser.start();
    blankTab = browser.currentTab();
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  private void startServer(String transport) {
    options = ChatServer.Options.defaults().transport(transport).port(0)
        .heartbeat(Duration.ofMillis(500), Duration.ofMillis(1500))
        .dashboardEvery(Duration.ofMillis(250));
    server = Objects.requireNonNull(ChatServer.start(options).block(DEADLINE), "server");
    feed = DashboardFeed.open(server.port());
  }

  /** Pages first, so that they say goodbye to a server that is still there; then the server. */
  @AfterEach
  void closePagesAndServer() {
    for (String tab : browser.tabs()) {
      if (!tab.equals(blankTab)) {
        browser.switchTo(tab);
        browser.closeTab();
      }
    }
    browser.switchTo(blankTab);
    if (feed != null) {
      feed.close();
    }
    if (server != null) {
      server.shutdown().block(DEADLINE);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"netty", "vertx"})
  void twoUsersChatInOneOrderAndStayConnectedBecauseThePagesAnswerHeartbeats(String transport) {
    startServer(transport);
    String alice = openChat("alice");
    String bob = openChat("bob");

    say(alice, "hello bob");
    awaitMessages(bob, List.of("alice: hello bob"));
    say(bob, "hi alice");
    awaitMessages(alice, List.of("alice: hello bob", "bob: hi alice"));
    say(alice, "<b>not bold</b> & fine");
    List<String> conversation = List.of("alice: hello bob", "bob: hi alice", "alice: <b>not bold</b> & fine");
    awaitMessages(alice, conversation);
    awaitMessages(bob, conversation);
    browser.switchTo(alice);
    assertEquals(0, browser.script("return document.querySelectorAll('#messages b').length;").asInt(),
        "chat text is shown as text, never as markup");
    assertEquals(List.of("alice", "bob"), browser.texts("#users li"));

    // Six server heartbeats per page (3 s, twice the server's timeout): a page that did not
    // answer them would be closed with 4408 and reconnect.
    long sent = await("a dashboard snapshot", feed::heartbeatsSent, count -> count >= 0);
    long answered = feed.heartbeatsAnswered();
    await("the server to send each page six more heartbeats", feed::heartbeatsSent, now -> now >= sent + 12);
    assertTrue(feed.heartbeatsAnswered() >= answered + 10, "answered " + answered + " then " + feed);
    for (String page : List.of(alice, bob)) {
      PageStatus status = status(page);
      assertEquals("connected", status.state(), status.text());
      assertEquals(0, status.reconnects(), status.text());
    }
    assertEquals(2, feed.totalOpened(), "no connection but the first two: " + feed);
    assertEquals(0, feed.closed("timeout"), "closed for missed heartbeats: " + feed);

    browser.switchTo(alice);
    String rtt = await("the page's own heartbeat round trip", () -> browser.text("#rtt"),
        text -> text.matches("rtt \\d+ ms"));
    assertTrue(Integer.parseInt(rtt.replaceAll("\\D", "")) < 1000, rtt);
    if (transport.equals("netty")) {
      browser.screenshot(SCREENSHOTS.resolve("chat.png"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"netty", "vertx"})
  void pagesReconnectAfterAServerRestartAndTheChatGoesOn(String transport) {
    startServer(transport);
    String alice = openChat("alice");
    String bob = openChat("bob");
    int port = server.port();

    server.shutdown().block(DEADLINE);
    awaitState(alice, "reconnecting");
    awaitState(bob, "reconnecting");
    say(alice, "typed while the server was away");

    server = Objects.requireNonNull(ChatServer.start(options.port(port)).block(DEADLINE), "restarted server");
    assertTrue(awaitState(alice, "connected").reconnects() >= 1);
    assertTrue(awaitState(bob, "connected").reconnects() >= 1);

    // The line typed while offline is sent once alice is back (bob sees it only if he was back first).
    awaitMessages(alice, List.of("alice: typed while the server was away"));
    say(bob, "welcome back");
    awaitMessages(alice, List.of("alice: typed while the server was away", "bob: welcome back"));
    say(alice, "thanks");
    awaitMessages(alice, List.of("alice: typed while the server was away", "bob: welcome back", "alice: thanks"));
    browser.switchTo(bob);
    await("bob's messages to end with the two after the restart", () -> browser.texts("#messages li"),
        seen -> seen.size() >= 2 && seen.subList(seen.size() - 2, seen.size()).equals(List.of("bob: welcome back", "alice: thanks")));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"netty", "vertx"})
  void aSecondTabForTheSameUserClosesTheFirstWith4500AndTheFirstDoesNotReconnect(String transport) {
    startServer(transport);
    String first = openChat("alice");
    openChat("bob");
    await("the server to count two connections", feed::active, active -> active == 2);

    String second = openChat("alice");
    PageStatus superseded = awaitState(first, "closed");
    assertTrue(superseded.text().contains("closed 4500") && superseded.text().contains("another tab"), superseded.text());

    // Several reconnect periods (the page's backoff is 250 ms to 2 s), counted in server
    // heartbeats to the two pages left: a first tab that reconnected would have opened a
    // connection and closed the second tab with 4500 in turn.
    long sent = await("a dashboard snapshot", feed::heartbeatsSent, count -> count >= 0);
    await("the server to send the two pages six more heartbeats each", feed::heartbeatsSent, now -> now >= sent + 12);
    assertEquals(superseded, status(first), "the first tab stayed closed and made no attempt");
    assertEquals(3, feed.totalOpened(), "no connection but the three tabs': " + feed);
    assertEquals(2, feed.active(), feed.toString());
    PageStatus taken = status(second);
    assertEquals("connected", taken.state(), taken.text());
    assertEquals(0, taken.reconnects(), taken.text());
    assertEquals(1, feed.closed("supersed"), "closed as superseded: " + feed);

    browser.switchTo(first);
    browser.screenshot(SCREENSHOTS.resolve(transport.equals("netty") ? "chat-superseded.png" : "chat-superseded-vertx.png"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"netty", "vertx"})
  void theDashboardFollowsConnectionsAsTheyComeAndGo(String transport) {
    startServer(transport);
    openChat("alice");
    String dashboard = open("dashboard");
    await("#active to show 1", () -> browser.text("#active"), "1"::equals);
    assertEquals(transport, browser.text("#transport"));

    String carol = openChat("carol");
    browser.switchTo(dashboard);
    await("#active to go up to 2", () -> browser.text("#active"), "2"::equals);
    await("#opened to count both", () -> browser.text("#opened"), "2"::equals);

    browser.switchTo(carol);
    browser.closeTab();
    browser.switchTo(dashboard);
    await("#active to go down to 1", () -> browser.text("#active"), "1"::equals);
    await("carol's close counted in #closed", () -> browser.script(
        "return Array.from(document.querySelectorAll('#closed tbody td'), td => +td.textContent).reduce((a, b) => a + b, 0);")
        .asInt(), closed -> closed == 1);

    // The charts: a step line of connections over time, and RTT bars once heartbeats were answered.
    await("the RTT histogram to have bars",
        () -> browser.script("return document.querySelectorAll('#histogram rect.bar').length;").asInt(), bars -> bars > 0);
    JsonNode line = browser.script("return document.querySelector('#timeline path.line').getAttribute('d');");
    assertTrue(line.asText().startsWith("M") && line.asText().contains(" V"), line.asText());
    assertTrue(browser.text("#p50").endsWith(" ms") && browser.text("#p99").endsWith(" ms"), browser.text("#p50"));
    if (transport.equals("netty")) {
      browser.screenshot(SCREENSHOTS.resolve("dashboard.png"));
    }
  }

  @Test
  void aPageBehindAFrozenNetworkNoticesTheSilenceAndReconnectsOnceItThaws() {
    startServer("netty");
    try (FaultyTcpProxy proxy = FaultyTcpProxy.start(server.port())) {
      String dave = openChat(proxy.port(), "dave");
      proxy.freeze(); // no FIN, no close frame: only the page's own timeout can tell
      await("the page to give up on the silent connection", () -> status(dave),
          page -> page.state().equals("reconnecting") && page.text().contains("server silent"));
      proxy.resume();
      assertTrue(awaitState(dave, "connected").reconnects() >= 1);
    }
  }

  // ---- the pages, as the test sees them

  /** What {@code #status} says, and how many reconnections the page made. */
  record PageStatus(String state, String text, int reconnects) {}

  private String open(String path) {
    return openOn(server.port(), path);
  }

  private String openOn(int port, String path) {
    String tab = browser.newTab();
    browser.navigate("http://127.0.0.1:" + port + "/" + path);
    return tab;
  }

  private String openChat(String user) {
    return openChat(server.port(), user);
  }

  private String openChat(int port, String user) {
    String tab = openOn(port, "?user=" + user + PAGE_TIMINGS);
    PageStatus status = awaitState(tab, "connected");
    assertEquals("connected as " + user, status.text());
    return tab;
  }

  private static <T> T await(String what, Supplier<T> probe, Predicate<? super T> ok) {
    return Await.until(what, probe, ok, DEADLINE);
  }

  private PageStatus status(String tab) {
    browser.switchTo(tab);
    JsonNode values = browser.script("const s = document.getElementById('status');"
        + "return [s.dataset.state, s.textContent, +document.getElementById('reconnects').textContent];");
    return new PageStatus(values.get(0).asText(), values.get(1).asText(), values.get(2).asInt());
  }

  private PageStatus awaitState(String tab, String state) {
    return await("the page's status to be " + state, () -> status(tab), s -> s.state().equals(state));
  }

  private void say(String tab, String text) {
    browser.switchTo(tab);
    browser.type("#input", text);
    browser.click("#send");
  }

  private void awaitMessages(String tab, List<String> expected) {
    browser.switchTo(tab);
    await("#messages to be " + expected, () -> browser.texts("#messages li"), expected::equals);
  }
}
