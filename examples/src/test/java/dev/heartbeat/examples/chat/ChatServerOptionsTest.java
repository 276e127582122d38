package dev.heartbeat.examples.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.examples.TransportName;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The chat server's options and arguments, and the rule that keeps its pages in their folder. */
class ChatServerOptionsTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    ChatServer.Options o = ChatServer.Options.defaults();
    assertEquals(TransportName.NETTY, o.transport());
    assertEquals(8080, o.port());
    assertEquals(Duration.ofSeconds(5), o.interval());
    assertEquals(Duration.ofSeconds(15), o.timeout());
    assertEquals(Duration.ofSeconds(1), o.dashboardEvery());
    assertEquals("json", o.policy().codec().name());
  }

  @Test
  void settersReturnNewOptionsAndLeaveTheOldAlone() {
    ChatServer.Options o = ChatServer.Options.defaults();
    ChatServer.Options changed = o.transport("vertx").port(0)
        .heartbeat(Duration.ofMillis(500), Duration.ofMillis(1500)).dashboardEvery(Duration.ofMillis(250));
    assertNotSame(o, changed);
    assertEquals(TransportName.VERTX, changed.transport());
    assertEquals(0, changed.port());
    assertEquals(Duration.ofMillis(500), changed.policy().interval());
    assertEquals(Duration.ofMillis(1500), changed.policy().timeout());
    assertEquals(Duration.ofMillis(250), changed.dashboardEvery());
    assertEquals(8080, o.port());
    assertEquals(TransportName.NETTY, o.transport());
  }

  @Test
  void badValuesAreRefusedAtOnceNamingTheField() {
    ChatServer.Options o = ChatServer.Options.defaults();
    assertNaming("transport", assertThrows(IllegalArgumentException.class, () -> o.transport("jetty")));
    assertNaming("port", assertThrows(IllegalArgumentException.class, () -> o.port(65_536)));
    assertNaming("timeout", assertThrows(IllegalArgumentException.class,
        () -> o.heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(1))));
    assertNaming("interval", assertThrows(IllegalArgumentException.class,
        () -> o.heartbeat(Duration.ofSeconds(-1), Duration.ofSeconds(1))));
    assertNaming("dashboardEvery", assertThrows(IllegalArgumentException.class, () -> o.dashboardEvery(Duration.ZERO)));
  }

  @Test
  void argumentsSetTheOptionsAndBadOnesAreNamed() {
    ChatServer.Options o = ChatServer.fromArguments(List.of("--port", "0", "--transport", "vertx",
        "--interval-ms", "400", "--timeout-ms", "1200"));
    assertEquals(0, o.port());
    assertEquals(TransportName.VERTX, o.transport());
    assertEquals(Duration.ofMillis(400), o.interval());
    assertEquals(Duration.ofMillis(1200), o.timeout());
    assertNull(ChatServer.fromArguments(List.of("--help")));

    assertNaming("--port", assertThrows(IllegalArgumentException.class,
        () -> ChatServer.fromArguments(List.of("--port", "eighty"))));
    assertNaming("--transport", assertThrows(IllegalArgumentException.class,
        () -> ChatServer.fromArguments(List.of("--transport"))));
    assertNaming("--bogus", assertThrows(IllegalArgumentException.class,
        () -> ChatServer.fromArguments(List.of("--bogus", "1"))));
    assertNaming("--timeout-ms", assertThrows(IllegalArgumentException.class,
        () -> ChatServer.fromArguments(List.of("--interval-ms", "20000"))));
  }

  @Test
  void pagesComeOnlyFromTheirFolder() {
    WebResources pages = new WebResources("testweb");
    assertTrue(pages.reply("/").isPresent());
    assertTrue(pages.reply("/dashboard").isPresent());
    assertTrue(pages.reply("/js/app.js").isPresent());
    assertTrue(pages.reply("/chat.html").isPresent());
    for (String path : List.of("/../secret.html", "/js/../../secret.html", "/%2e%2e/secret.html", "/./chat.html",
        "/.hidden.html", "//chat.html", "/chat.html/", "/js\\app.js", "/notes.txt", "/missing.html", "/js")) {
      assertEquals(Optional.empty(), pages.reply(path), path);
    }
  }

  private static void assertNaming(String field, IllegalArgumentException error) {
    assertTrue(error.getMessage().startsWith(field + ":"), error.getMessage());
  }
}
