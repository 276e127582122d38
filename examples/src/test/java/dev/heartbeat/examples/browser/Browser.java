package dev.heartbeat.examples.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.heartbeat.examples.testkit.Await;
import dev.heartbeat.test.DebianPackages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Headless Chromium driven through chromedriver's W3C WebDriver HTTP API, with nothing but the
 * JDK's HTTP client and Jackson: the dozen commands a page test needs do not justify Selenium's
 * dependency tree. Chromium and chromedriver come from Debian's packages, installed on first use.
 *
 * <p>Elements are found by CSS selector on every call, never kept: a page that re-renders cannot
 * hand the test a stale reference.
 *
 * <pre>{@code
 * try (Browser browser = Browser.start()) {
 *   browser.navigate("http://127.0.0.1:8080/");
 *   String status = browser.text("#status");
 * }
 * }</pre>
 */
final class Browser implements AutoCloseable {

  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STARTUP = Duration.ofSeconds(30);
  /** W3C WebDriver's key for an element reference in JSON. */
  private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process driver;
  private final Path profile;
  private final Thread killer;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI root;
  private URI session;

  private Browser(Process driver, Path profile, URI root) {
    this.driver = driver;
    this.profile = profile;
    this.root = root;
    // If the test JVM is stopped, no Chromium must outlive it.
    this.killer = new Thread(this::kill, "browser-killer");
    Runtime.getRuntime().addShutdownHook(killer);
  }

  /**
   * Installs Chromium and chromedriver when missing, starts chromedriver on a free loopback port
   * and opens a session with a fresh profile.
   */
  static Browser start() {
    DebianPackages.ensure(List.of(CHROMIUM, CHROMEDRIVER), "chromium", "chromium-driver");
    Path profile;
    Process driver;
    int port = freePort();
    try {
      profile = Files.createTempDirectory("heartbeat-chromium");
      Path log = Files.createDirectories(Path.of("target")).resolve("chromedriver.log");
      driver = new ProcessBuilder(CHROMEDRIVER, "--port=" + port, "--allowed-ips=127.0.0.1")
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + CHROMEDRIVER, e);
    }
    Browser browser = new Browser(driver, profile, URI.create("http://127.0.0.1:" + port + "/"));
    try {
      Await.until("chromedriver on port " + port + " to be ready", browser::ready, ready -> ready, STARTUP);
      browser.openSession();
      return browser;
    } catch (RuntimeException | Error e) {
      browser.close();
      throw e;
    }
  }

  private boolean ready() {
    if (!driver.isAlive()) {
      throw new IllegalStateException(CHROMEDRIVER + " exited with " + driver.exitValue() + "; see target/chromedriver.log");
    }
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(root.resolve("status")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(response.body()).path("value").path("ready").asBoolean();
    } catch (IOException e) {
      return false; // not listening yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void openSession() {
    ObjectNode chrome = JSON.createObjectNode().put("binary", CHROMIUM);
    for (String arg : List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--window-size=1200,1000", "--user-data-dir=" + profile)) {
      chrome.withArray("args").add(arg);
    }
    ObjectNode body = JSON.createObjectNode();
    body.putObject("capabilities").putObject("alwaysMatch").put("browserName", "chrome").set("goog:chromeOptions", chrome);
    JsonNode value = send("POST", root.resolve("session"), body);
    session = root.resolve("session/" + value.path("sessionId").asText() + "/");
  }

  /** Loads {@code url} in the current tab and waits for its load event. */
  void navigate(String url) {
    command("POST", "url", Map.of("url", url));
  }

  /** The text of the first element matching {@code css}, as the user sees it. */
  String text(String css) {
    return command("GET", "element/" + element(css) + "/text", null).asText();
  }

  /** Clicks the first element matching {@code css}. */
  void click(String css) {
    command("POST", "element/" + element(css) + "/click", Map.of());
  }

  /** Types {@code text} into the first element matching {@code css}. */
  void type(String css, String text) {
    command("POST", "element/" + element(css) + "/value", Map.of("text", text));
  }

  /** Runs {@code script} as a function body in the current tab; {@code arguments} holds {@code args}. */
  JsonNode script(String script, Object... args) {
    return command("POST", "execute/sync", Map.of("script", script, "args", List.of(args)));
  }

  /** The text of every element matching {@code css}, in document order. */
  List<String> texts(String css) {
    List<String> texts = new ArrayList<>();
    script("return Array.from(document.querySelectorAll(arguments[0]), e => e.textContent);", css)
        .forEach(node -> texts.add(node.asText()));
    return texts;
  }

  /** Opens a new tab, makes it current and returns its handle. */
  String newTab() {
    String handle = command("POST", "window/new", Map.of("type", "tab")).path("handle").asText();
    switchTo(handle);
    return handle;
  }

  /** The handle of the current tab. */
  String currentTab() {
    return command("GET", "window", null).asText();
  }

  /** The handles of every open tab. */
  List<String> tabs() {
    List<String> handles = new ArrayList<>();
    command("GET", "window/handles", null).forEach(node -> handles.add(node.asText()));
    return handles;
  }

  /** Makes the tab {@code handle} current. */
  void switchTo(String handle) {
    command("POST", "window", Map.of("handle", handle));
  }

  /** Closes the current tab; switch to another before the next command. */
  void closeTab() {
    command("DELETE", "window", null);
  }

  /** Saves a PNG of the current tab's viewport to {@code file}. */
  void screenshot(Path file) {
    byte[] png = Base64.getDecoder().decode(command("GET", "screenshot", null).asText());
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.write(file, png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String element(String css) {
    return command("POST", "element", Map.of("using", "css selector", "value", css)).path(ELEMENT).asText();
  }

  private JsonNode command(String method, String path, Object body) {
    if (session == null) {
      throw new IllegalStateException("no WebDriver session");
    }
    return send(method, session.resolve(path), body);
  }

  private JsonNode send(String method, URI uri, Object body) {
    try {
      HttpRequest.BodyPublisher publisher = body == null
          ? HttpRequest.BodyPublishers.noBody()
          : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body));
      HttpRequest request = HttpRequest.newBuilder(uri).timeout(COMMAND_TIMEOUT)
          .header("Content-Type", "application/json; charset=utf-8").method(method, publisher).build();
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      JsonNode value = JSON.readTree(response.body()).path("value");
      if (response.statusCode() != 200) {
        // W3C errors: {"value": {"error": "no such element", "message": "...", "stacktrace": "..."}}
        throw new WebDriverException(method + " " + uri.getPath() + " -> " + response.statusCode() + " "
            + value.path("error").asText() + ": " + value.path("message").asText());
      }
      return value;
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + uri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + method + " " + uri, e);
    }
  }

  /** Ends the session (Chromium quits), then makes sure chromedriver and every child are gone. */
  @Override
  public void close() {
    try {
      if (session != null && driver.isAlive()) {
        send("DELETE", session, null);
      }
    } catch (RuntimeException e) {
      // Killed below either way.
    } finally {
      session = null;
      kill();
      try {
        Runtime.getRuntime().removeShutdownHook(killer);
      } catch (IllegalStateException e) {
        // already shutting down: the hook runs kill() too
      }
    }
  }

  private void kill() {
    // Children first: once chromedriver is gone, its orphans could no longer be found from it.
    driver.descendants().forEach(ProcessHandle::destroyForcibly);
    driver.destroyForcibly();
    try {
      driver.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a leftover temp profile is harmless
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A WebDriver command the browser refused, with its W3C error code and message. */
  static final class WebDriverException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WebDriverException(String message) {
      super(message);
    }
  }
}
