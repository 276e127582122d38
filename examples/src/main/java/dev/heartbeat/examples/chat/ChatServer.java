package dev.heartbeat.examples.chat;

import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.examples.Arguments;
import dev.heartbeat.examples.Settings;
import dev.heartbeat.examples.TransportName;
import dev.heartbeat.examples.server.DemoEndpoints;
import dev.heartbeat.examples.server.HttpRoutes;
import dev.heartbeat.examples.server.ServerStats;
import dev.heartbeat.server.ConnectionRegistry;
import dev.heartbeat.server.ServerMetrics;
import dev.heartbeat.server.SessionKeyPolicy;
import dev.heartbeat.transport.HandshakeCheck;
import dev.heartbeat.transport.HandshakeDecision;
import dev.heartbeat.transport.HandshakeInfo;
import dev.heartbeat.transport.ServerHandle;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The main demo: a chat room and a live dashboard of the server's connections, on Reactor Netty
 * or Vert.x, all on one port.
 *
 * <ul>
 *   <li>{@code ws://HOST:PORT/ws?user=NAME}: the chat ({@link ChatProtocol}), with JSON
 *       heartbeats both ways ({@code {"type":"heartbeat"}} answered by
 *       {@code {"type":"heartbeat_ack"}}). No {@code user}: 401 before the upgrade. One
 *       connection per user: a newer one closes the older with 4500, which clients do not
 *       reconnect after.</li>
 *   <li>{@code GET /}: the chat page; {@code GET /dashboard}: the dashboard;
 *       {@code GET /dashboard/events}: its feed, server-sent events ({@link Dashboard});
 *       {@code GET /metrics}: Prometheus; {@code GET /stats}: the figures as JSON.</li>
 * </ul>
 *
 * <pre>{@code
 * java -jar examples/target/heartbeat-demo.jar --port 8080 --transport vertx
 *
 * ServerHandle server = ChatServer.start(ChatServer.Options.defaults().port(0)).block();
 * }</pre>
 */
public final class ChatServer {

  /** The handshake query parameter that names the user, and keys the connection. */
  public static final String USER_PARAM = "user";

  private static final Function<HandshakeInfo, @Nullable String> USER = SessionKeyPolicy.queryParam(USER_PARAM);

  /** No user, no chat: refused with 401 before the upgrade. */
  private static final HandshakeCheck USER_REQUIRED = request -> {
    String user = USER.apply(request);
    return Mono.just(user == null || user.isBlank()
        ? HandshakeDecision.reject(401, "say who you are: /ws?" + USER_PARAM + "=NAME")
        : HandshakeDecision.accept());
  };

  private static final String USAGE = String.join("\n",
      "usage: java -jar heartbeat-demo.jar [--port N] [--transport netty|vertx] [--interval-ms N] [--timeout-ms N]",
      "  --port         port on 127.0.0.1 (default 8080, 0 for any free one)",
      "  --transport    netty (default) or vertx",
      "  --interval-ms  heartbeat interval (default 5000)",
      "  --timeout-ms   silence after which a peer is closed with 4408 (default 15000)");

  private ChatServer() {}

  public static void main(String[] args) throws InterruptedException {
    Options options;
    try {
      options = fromArguments(List.of(args));
    } catch (IllegalArgumentException invalid) {
      System.err.println(invalid.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    if (options == null) {
      System.out.println(USAGE);
      return;
    }
    ServerHandle server = start(options).block(Duration.ofSeconds(30));
    Objects.requireNonNull(server, "server");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdown().block(Duration.ofSeconds(10));
      stopped.countDown();
    }, "chat-server-shutdown"));
    String base = "http://127.0.0.1:" + server.port();
    System.out.println("Heartbeat chat on " + options.transport().id() + ", open:");
    System.out.println("  chat:      " + base + "/");
    System.out.println("  dashboard: " + base + "/dashboard");
    stopped.await();
  }

  /** The options {@code args} give, or null when they ask for help. */
  static @Nullable Options fromArguments(List<String> args) {
    Arguments given = Arguments.parse(args, Set.of("--port", "--transport", "--interval-ms", "--timeout-ms"),
        Set.of("--help", "-h"));
    if (given.has("--help") || given.has("-h")) {
      return null;
    }
    Options options = Options.defaults();
    if (given.has("--port")) {
      options = options.port(Settings.port("--port", given.last("--port", "")));
    }
    if (given.has("--transport")) {
      options = options.transport(Settings.transport("--transport", given.last("--transport", "")).id());
    }
    Duration interval = given.has("--interval-ms") ? Settings.millis("--interval-ms", given.last("--interval-ms", ""))
        : options.interval();
    Duration timeout = given.has("--timeout-ms") ? Settings.millis("--timeout-ms", given.last("--timeout-ms", ""))
        : options.timeout();
    if (timeout.compareTo(interval) <= 0) {
      throw new IllegalArgumentException("--timeout-ms: must be greater than the interval (" + interval.toMillis()
          + " ms), got " + timeout.toMillis() + " ms");
    }
    return options.heartbeat(interval, timeout);
  }

  /**
   * Starts a chat server with {@code options}. Its handle's {@code shutdown()} closes every
   * connection with 1001 and stops the transport; a new one can then start on the same port.
   */
  public static Mono<ServerHandle> start(Options options) {
    Objects.requireNonNull(options, "options");
    return Mono.defer(() -> {
      HeartbeatPolicy policy = options.policy();
      ConnectionRegistry registry = ConnectionRegistry.builder(policy)
          .sessionKeys(SessionKeyPolicy.onePerKey(USER))
          .transportTag(options.transport().id())
          .build();
      PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      meters.config().meterFilter(Dashboard.rttBuckets());
      ServerMetrics.bind(registry, meters);
      Dashboard dashboard = new Dashboard(registry, options.transport(), meters.get(Dashboard.rttTimerName()).timer(),
          options.dashboardEvery());
      ChatRoom room = new ChatRoom(registry, System::currentTimeMillis);
      WebResources pages = new WebResources(options.webRoot());
      HttpRoutes routes = HttpRoutes.create()
          .text("/stats", HttpRoutes.JSON, () -> ServerStats.json(registry, options.transport()))
          .text("/metrics", "text/plain; version=0.0.4; charset=utf-8", meters::scrape)
          .events("/dashboard/events", dashboard::events)
          .otherwise(pages::reply);
      return DemoEndpoints.create(options.transport(), options.port(), routes)
          .handshakeCheck(USER_REQUIRED)
          .start(registry.handler(room::handle))
          .map(server -> DemoEndpoints.gracefully(server, registry, Duration.ofSeconds(5)));
    });
  }

  /**
   * How a chat server runs: immutable, every setter returns new options and rejects a bad value
   * at once, naming the field. By default: Reactor Netty, port 8080, JSON heartbeats every 5 s,
   * a peer silent for 15 s closed with 4408, a dashboard event every second.
   *
   * <pre>{@code
   * ChatServer.Options o = ChatServer.Options.defaults()
   *     .transport("vertx").port(0)
   *     .heartbeat(Duration.ofMillis(500), Duration.ofMillis(1500))
   *     .dashboardEvery(Duration.ofMillis(250));
   * }</pre>
   */
  public static final class Options {
    private static final String WEB_ROOT = "web";

    private final TransportName transport;
    private final int port;
    private final Duration interval;
    private final Duration timeout;
    private final Duration dashboardEvery;
    private final String webRoot;

    private Options(TransportName transport, int port, Duration interval, Duration timeout, Duration dashboardEvery,
        String webRoot) {
      this.transport = transport;
      this.port = port;
      this.interval = interval;
      this.timeout = timeout;
      this.dashboardEvery = dashboardEvery;
      this.webRoot = webRoot;
    }

    /** The defaults listed on this class. */
    public static Options defaults() {
      return new Options(TransportName.NETTY, 8080, Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(1),
          WEB_ROOT);
    }

    /** These options on the transport named {@code name}: {@code netty} (default) or {@code vertx}. */
    public Options transport(String name) {
      TransportName chosen = Settings.transport("transport", Objects.requireNonNull(name, "transport"));
      return new Options(chosen, port, interval, timeout, dashboardEvery, webRoot);
    }

    /** These options on {@code port} of 127.0.0.1, 0 for any free one; by default 8080. */
    public Options port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port: must be in 0-65535, got " + port);
      }
      return new Options(transport, port, interval, timeout, dashboardEvery, webRoot);
    }

    /**
     * These options sending a heartbeat every {@code interval} and closing a peer silent for
     * {@code timeout} (greater than the interval) with 4408; by default 5 s and 15 s.
     */
    public Options heartbeat(Duration interval, Duration timeout) {
      Options next = new Options(transport, port, interval, timeout, dashboardEvery, webRoot);
      next.policy(); // checks both, naming the field
      return next;
    }

    /** These options with a dashboard event every {@code period}; by default 1 s. */
    public Options dashboardEvery(Duration period) {
      Objects.requireNonNull(period, "dashboardEvery");
      if (period.isNegative() || period.isZero()) {
        throw new IllegalArgumentException("dashboardEvery: must be positive, got " + period);
      }
      return new Options(transport, port, interval, timeout, period, webRoot);
    }

    /** Pages from class path folder {@code root} instead of {@code web}: for tests. */
    Options webRoot(String root) {
      return new Options(transport, port, interval, timeout, dashboardEvery, Objects.requireNonNull(root, "webRoot"));
    }

    /** The transport. */
    public TransportName transport() {
      return transport;
    }

    /** The port, 0 for any free one. */
    public int port() {
      return port;
    }

    /** The heartbeat interval. */
    public Duration interval() {
      return interval;
    }

    /** The heartbeat timeout. */
    public Duration timeout() {
      return timeout;
    }

    /** The period of dashboard events. */
    public Duration dashboardEvery() {
      return dashboardEvery;
    }

    String webRoot() {
      return webRoot;
    }

    /**
     * The heartbeat policy of every connection: JSON heartbeats, sent by the server and by the
     * browser; each side answers the other's.
     */
    HeartbeatPolicy policy() {
      return HeartbeatPolicy.builder().codec(HeartbeatCodec.json()).interval(interval).timeout(timeout).build();
    }

    @Override
    public String toString() {
      return "ChatServer.Options[" + transport.id() + ", port " + port + ", heartbeat " + interval.toMillis() + "/"
          + timeout.toMillis() + " ms, dashboard every " + dashboardEvery.toMillis() + " ms]";
    }
  }
}
