package dev.heartbeat.examples;

import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.examples.server.DemoEndpoints;
import dev.heartbeat.examples.server.HttpRoutes;
import dev.heartbeat.examples.server.ServerStats;
import dev.heartbeat.server.ConnectionRegistry;
import dev.heartbeat.transport.ServerHandle;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import reactor.core.publisher.Mono;

/**
 * The library's server as a load test sees it: an echo server at {@code ws://127.0.0.1:PORT/ws}
 * with heartbeats on every connection, dead peers closed with 4408, and its figures at
 * {@code GET /stats}. Light on purpose: no timer and no log line per connection (the heartbeat
 * sweep is shared), and nothing is pushed to connections, so their outbound buffers are tiny.
 *
 * <p>Configured by environment variables, each checked at start (a bad value names the
 * variable):
 * <ul>
 *   <li>{@code PORT}: 8080 by default, 0 for any free port;</li>
 *   <li>{@code HB_INTERVAL_MS}: 1000 by default; {@code HB_TIMEOUT_MS}: 3000 by default, greater
 *       than the interval;</li>
 *   <li>{@code TRANSPORT}: {@code netty} (default) or {@code vertx};</li>
 *   <li>{@code HB_FORMAT}: {@code ping-frame} (default: protocol ping frames), {@code text}
 *       ({@code ping}/{@code pong}), {@code heartbeat-text} ({@code HeartBeat}, no answer) or
 *       {@code json} ({@code {"type":"heartbeat"}}/{@code {"type":"heartbeat_ack"}}).</li>
 * </ul>
 * It prints one line with its URL when it listens, and on SIGTERM closes every connection with
 * 1001 and exits.
 *
 * <pre>{@code
 * PORT=9000 TRANSPORT=vertx HB_FORMAT=json java -cp heartbeat-demo.jar dev.heartbeat.examples.DemoServer
 * }</pre>
 */
public final class DemoServer {

  /** How long a graceful shutdown waits for connections to close before it drops them. */
  static final Duration SHUTDOWN_DEADLINE = Duration.ofSeconds(5);

  private DemoServer() {}

  public static void main(String[] args) throws InterruptedException {
    Config config;
    try {
      config = Config.fromEnvironment(System.getenv());
    } catch (IllegalArgumentException invalid) {
      System.err.println("DemoServer: " + invalid.getMessage());
      System.exit(2);
      return;
    }
    ServerHandle server = start(config).block(Duration.ofSeconds(30));
    Objects.requireNonNull(server, "server");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdown().block(SHUTDOWN_DEADLINE.multipliedBy(2));
      stopped.countDown();
    }, "demo-server-shutdown"));
    System.out.println("DemoServer listening on ws://127.0.0.1:" + server.port() + "/ws"
        + " (stats: http://127.0.0.1:" + server.port() + "/stats) " + config);
    stopped.await();
  }

  /**
   * Starts a demo server with {@code config}; its handle's {@code shutdown()} closes every
   * connection with 1001, then stops the transport.
   */
  public static Mono<ServerHandle> start(Config config) {
    Objects.requireNonNull(config, "config");
    return Mono.defer(() -> {
      ConnectionRegistry registry = ConnectionRegistry.builder(config.policy())
          .transportTag(config.transport().id())
          .outboundBuffer(1) // nothing is broadcast here: keep 15,000 idle connections light
          .build();
      HttpRoutes routes = HttpRoutes.create()
          .text("/stats", HttpRoutes.JSON, () -> ServerStats.json(registry, config.transport()));
      return DemoEndpoints.create(config.transport(), config.port(), routes)
          .start(registry.handler(session -> session.send(session.receive()))) // echo, as it came
          .map(server -> DemoEndpoints.gracefully(server, registry, SHUTDOWN_DEADLINE));
    });
  }

  /**
   * What a demo server runs: immutable, every setter returns a new config and rejects a bad value
   * at once, naming the field. By default: Reactor Netty, port 8080, ping frames every 1 s, dead
   * after 3 s of silence.
   */
  public static final class Config {
    private final TransportName transport;
    private final int port;
    private final HeartbeatCodec format;
    private final Duration interval;
    private final Duration timeout;

    private Config(TransportName transport, int port, HeartbeatCodec format, Duration interval, Duration timeout) {
      this.transport = transport;
      this.port = port;
      this.format = format;
      this.interval = interval;
      this.timeout = timeout;
    }

    /** The defaults listed on this class. */
    public static Config defaults() {
      return new Config(TransportName.NETTY, 8080, HeartbeatCodec.pingFrames(), Duration.ofSeconds(1),
          Duration.ofSeconds(3));
    }

    /**
     * The config the environment variables {@code PORT}, {@code HB_INTERVAL_MS},
     * {@code HB_TIMEOUT_MS}, {@code TRANSPORT} and {@code HB_FORMAT} give, the defaults for
     * those not set.
     *
     * @throws IllegalArgumentException naming the variable whose value is invalid
     */
    public static Config fromEnvironment(Map<String, String> env) {
      Config config = defaults();
      String port = env.get("PORT");
      if (port != null) {
        config = config.port(Settings.port("PORT", port));
      }
      String transport = env.get("TRANSPORT");
      if (transport != null) {
        config = config.transport(Settings.transport("TRANSPORT", transport));
      }
      String format = env.get("HB_FORMAT");
      if (format != null) {
        config = config.format(Settings.format("HB_FORMAT", format));
      }
      String intervalMs = env.get("HB_INTERVAL_MS");
      String timeoutMs = env.get("HB_TIMEOUT_MS");
      Duration interval = intervalMs == null ? config.interval : Settings.millis("HB_INTERVAL_MS", intervalMs);
      Duration timeout = timeoutMs == null ? config.timeout : Settings.millis("HB_TIMEOUT_MS", timeoutMs);
      if (timeout.compareTo(interval) <= 0) {
        throw new IllegalArgumentException("HB_TIMEOUT_MS: must be greater than HB_INTERVAL_MS (" + interval.toMillis()
            + " ms), got " + timeout.toMillis() + " ms");
      }
      return config.heartbeat(interval, timeout);
    }

    /** This config on {@code transport}; by default Reactor Netty. */
    public Config transport(TransportName transport) {
      return new Config(Objects.requireNonNull(transport, "transport"), port, format, interval, timeout);
    }

    /** This config on {@code port}, 0 for any free one; by default 8080. */
    public Config port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port: must be in 0-65535, got " + port);
      }
      return new Config(transport, port, format, interval, timeout);
    }

    /** This config with heartbeats in {@code format}; by default ping frames. */
    public Config format(HeartbeatCodec format) {
      return new Config(transport, port, Objects.requireNonNull(format, "format"), interval, timeout);
    }

    /**
     * This config sending heartbeats every {@code interval} and closing a peer silent for
     * {@code timeout} (greater than the interval); by default 1 s and 3 s.
     */
    public Config heartbeat(Duration interval, Duration timeout) {
      Config next = new Config(transport, port, format, interval, timeout);
      next.policy(); // checks both, naming the field
      return next;
    }

    /** The transport. */
    public TransportName transport() {
      return transport;
    }

    /** The port, 0 for any free one. */
    public int port() {
      return port;
    }

    /** The heartbeat policy of every connection: both sides may send, the server does. */
    public HeartbeatPolicy policy() {
      return HeartbeatPolicy.builder().codec(format).interval(interval).timeout(timeout).build();
    }

    @Override
    public String toString() {
      return "transport=" + transport.id() + " format=" + format.name() + " interval=" + interval.toMillis()
          + "ms timeout=" + timeout.toMillis() + "ms";
    }
  }
}
