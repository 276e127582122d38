package dev.heartbeat.examples.cli;

import dev.heartbeat.Heartbeat;
import dev.heartbeat.HeartbeatConnection;
import dev.heartbeat.HeartbeatEvent;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.ReconnectExhaustedException;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.examples.Arguments;
import dev.heartbeat.examples.Settings;
import dev.heartbeat.examples.TransportName;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.netty.NettyClientTransport;
import dev.heartbeat.reconnect.ConnectionEvent;
import dev.heartbeat.reconnect.ReconnectStrategy;
import dev.heartbeat.reconnect.ReconnectingSession;
import dev.heartbeat.transport.ClientTransport;
import dev.heartbeat.vertx.VertxClientTransport;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A WebSocket client that stays connected to any server: heartbeats in the server's format,
 * reconnects with jittered backoff after a drop, queues what it sends while disconnected, and
 * stops for good after a terminal close (4500: the same user connected elsewhere; 1008).
 *
 * <p>It prints exactly one line per event, for scripts:
 * <pre>
 * connecting attempt=0                 (0: the first connect; then the reconnect attempt)
 * connected attempt=0
 * message text=hello                   (newlines as \n; binary: message binary=BASE64)
 * rtt=0.42ms                           (each answer to one of its heartbeats)
 * disconnected code=1006 reason="connection dropped" reconnect=true
 * reconnect attempt=1 in=0.73s
 * dropped reason=QUEUE_FULL text=...   (a message it could not send)
 * stopped code=4500 reason="superseded by a newer connection"   (terminal close: exit 0)
 * gave-up attempts=5 cause="..."       (exit 1)
 * closed                               (end of --stdin, or Ctrl-C: exit 0)
 * </pre>
 * Bad arguments print the usage and exit with 2, naming the argument.
 *
 * <pre>{@code
 * java -cp heartbeat-demo.jar dev.heartbeat.examples.cli.ResilientClient \
 *     --url 'ws://127.0.0.1:8080/ws?user=alice' --format json --send '{"type":"chat","text":"hi"}'
 * }</pre>
 */
public final class ResilientClient {

  /** Exit code after a terminal close or the end of input. */
  public static final int EXIT_STOPPED = 0;
  /** Exit code after giving up reconnecting. */
  public static final int EXIT_GAVE_UP = 1;
  /** Exit code for bad arguments. */
  public static final int EXIT_USAGE = 2;

  static final String USAGE = String.join("\n",
      "usage: ResilientClient --url ws://HOST:PORT/PATH [options]",
      "  --url URL             the server (ws:// or wss://), required",
      "  --format F            heartbeats: ping-frame (default), text, heartbeat-text or json (the chat demo's)",
      "  --transport T         netty (default) or vertx",
      "  --interval-ms N       heartbeat interval (default 5000)",
      "  --timeout-ms N        silence after which the server is taken for dead (default 15000)",
      "  --min-backoff-ms N    first reconnect delay, before jitter (default 1000)",
      "  --max-backoff-ms N    longest reconnect delay (default 30000)",
      "  --max-attempts N      reconnect attempts in a row before giving up (default: forever)",
      "  --send TEXT           a message to send once connected; may repeat",
      "  --stdin               send each line of standard input; stop at its end");

  private static final Set<String> WITH_VALUE = Set.of("--url", "--format", "--transport", "--interval-ms",
      "--timeout-ms", "--min-backoff-ms", "--max-backoff-ms", "--max-attempts", "--send");
  private static final Set<String> FLAGS = Set.of("--stdin", "--help");

  private ResilientClient() {}

  public static void main(String[] args) {
    Running running;
    try {
      running = start(List.of(args), System.in, System.out::println);
    } catch (IllegalArgumentException invalid) {
      System.err.println(invalid.getMessage());
      System.err.println(USAGE);
      System.exit(EXIT_USAGE);
      return;
    }
    // Ctrl-C or SIGTERM: close with 1000 and say so before the JVM goes.
    Thread stopOnSignal = new Thread(() -> {
      running.stop();
      running.exitCode().block(Duration.ofSeconds(5));
    }, "resilient-client-stop");
    Runtime.getRuntime().addShutdownHook(stopOnSignal);
    int code = Objects.requireNonNull(running.exitCode().block());
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnSignal);
    } catch (IllegalStateException shuttingDown) {
      return; // stopped by a signal: the JVM is exiting already
    }
    System.exit(code);
  }

  /**
   * Runs the client with {@code args} until it ends, printing its lines to {@code out}, and
   * returns its exit code; bad arguments go to {@code err} with the usage (exit code 2).
   */
  public static int run(List<String> args, InputStream stdin, Consumer<String> out, Consumer<String> err) {
    try {
      return Objects.requireNonNull(start(args, stdin, out).exitCode().block());
    } catch (IllegalArgumentException invalid) {
      err.accept(invalid.getMessage());
      err.accept(USAGE);
      return EXIT_USAGE;
    }
  }

  /**
   * Starts the client with {@code args}, printing its lines to {@code out} (called from several
   * threads, one line at a time), and returns at once.
   *
   * @throws IllegalArgumentException naming the argument that is missing, unknown or invalid
   */
  public static Running start(List<String> args, InputStream stdin, Consumer<String> out) {
    Options options = Options.parse(args);
    Running running = new Running(options, stdin, line -> {
      synchronized (out) {
        out.accept(line);
      }
    });
    running.begin();
    return running;
  }

  /** The arguments, checked. */
  record Options(URI url, HeartbeatPolicy policy, ReconnectStrategy strategy, TransportName transport,
      List<String> sends, boolean stdin) {

    static Options parse(List<String> args) {
      Arguments given = Arguments.parse(args, WITH_VALUE, FLAGS);
      if (given.has("--help")) {
        throw new IllegalArgumentException("--help: how to use it");
      }
      if (!given.has("--url")) {
        throw new IllegalArgumentException("--url: required");
      }
      URI url = Settings.read("--url", given.last("--url", ""), ResilientClient::webSocketUri);
      HeartbeatCodec format = Settings.format("--format", given.last("--format", "ping-frame"));
      TransportName transport = Settings.transport("--transport", given.last("--transport", "netty"));
      Duration interval = Settings.millis("--interval-ms", given.last("--interval-ms", "5000"));
      Duration timeout = Settings.millis("--timeout-ms", given.last("--timeout-ms", "15000"));
      if (timeout.compareTo(interval) <= 0) {
        throw new IllegalArgumentException("--timeout-ms: must be greater than --interval-ms (" + interval.toMillis()
            + "), got " + timeout.toMillis());
      }
      Duration minBackoff = Settings.millis("--min-backoff-ms", given.last("--min-backoff-ms", "1000"));
      Duration maxBackoff = Settings.millis("--max-backoff-ms", given.last("--max-backoff-ms", "30000"));
      if (minBackoff.compareTo(maxBackoff) > 0) {
        throw new IllegalArgumentException("--min-backoff-ms: must not exceed --max-backoff-ms (" + maxBackoff.toMillis()
            + "), got " + minBackoff.toMillis());
      }
      ReconnectStrategy.Builder strategy = ReconnectStrategy.builder().minDelay(minBackoff).maxDelay(maxBackoff);
      if (given.has("--max-attempts")) {
        strategy = strategy.maxAttempts(Settings.positive("--max-attempts", given.last("--max-attempts", "")));
      }
      HeartbeatPolicy policy = HeartbeatPolicy.builder().codec(format).interval(interval).timeout(timeout).build();
      return new Options(url, policy, strategy.build(), transport, given.all("--send"), given.has("--stdin"));
    }
  }

  private static URI webSocketUri(String text) {
    URI uri = URI.create(text.trim());
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("ws") && !scheme.equals("wss")) {
      throw new IllegalArgumentException("must be a ws:// or wss:// URL, got '" + text + "'");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("no host in '" + text + "'");
    }
    return uri;
  }

  /** A running client. */
  public static final class Running {
    private final Options options;
    private final InputStream stdin;
    private final Consumer<String> out;
    private final Sinks.One<Integer> exit = Sinks.one();
    private final @Nullable Vertx vertx;
    private final ReconnectingSession session;
    private volatile boolean stopping;
    // Touched by the event subscriber only.
    private ConnectionEvent.@Nullable Disconnected lastDisconnect;
    private ConnectionEvent.@Nullable GaveUp gaveUp;
    private int lastAttempt;

    private Running(Options options, InputStream stdin, Consumer<String> out) {
      this.options = options;
      this.stdin = stdin;
      this.out = out;
      this.vertx = options.transport() == TransportName.VERTX ? Vertx.vertx() : null;
      this.session = ReconnectingSession.builder(transport())
          .strategy(options.strategy())
          .decorator(this::watched)
          .build();
    }

    /** The one line that differs per transport. */
    private ClientTransport transport() {
      return vertx != null ? VertxClientTransport.create(vertx, options.url()) : NettyClientTransport.create(options.url());
    }

    /** Each connection under the heartbeat policy, its answers printed as round-trip times. */
    private HeartbeatConnection watched(dev.heartbeat.transport.WebSocketConnection connection) {
      HeartbeatConnection watched = Heartbeat.operator(options.policy()).apply(connection);
      watched.events().ofType(HeartbeatEvent.Answered.class)
          .subscribe(answered -> out.accept("rtt=" + decimal(answered.rtt().toNanos() / 1000, 3) + "ms"));
      return watched;
    }

    private void begin() {
      session.events().subscribe(this::print, error -> end(), this::end);
      session.receive().subscribe(frame -> out.accept("message " + show(frame)), error -> { });
      session.start();
      for (String text : options.sends()) {
        send(text);
      }
      if (options.stdin()) {
        Thread reader = new Thread(this::readStdin, "resilient-client-stdin");
        reader.setDaemon(true);
        reader.start();
      }
    }

    private void readStdin() {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null && !session.isDisposed(); line = lines.readLine()) {
          send(line);
        }
      } catch (IOException unreadable) {
        out.accept("stdin-failed error=\"" + oneLine(String.valueOf(unreadable.getMessage())) + "\"");
      }
      stop();
    }

    private void send(String text) {
      // Queued now, written once connected; a frame that cannot be queued is reported as dropped.
      session.send(WsFrame.text(text)).subscribe(null, error -> { });
    }

    /** Closes the session with 1000; the client then ends with exit code 0. */
    public void stop() {
      stopping = true;
      session.close(CloseStatus.NORMAL);
    }

    /** The exit code, once the client has ended: 0 stopped or closed, 1 gave up. */
    public Mono<Integer> exitCode() {
      return exit.asMono();
    }

    private void print(ConnectionEvent event) {
      if (event instanceof ConnectionEvent.Connecting connecting) {
        out.accept("connecting attempt=" + connecting.attempt());
      } else if (event instanceof ConnectionEvent.Connected connected) {
        out.accept("connected attempt=" + connected.attempt());
      } else if (event instanceof ConnectionEvent.Disconnected d) {
        lastDisconnect = d;
        out.accept("disconnected code=" + d.status().code() + " reason=" + quoted(d.status().reason())
            + " reconnect=" + d.willReconnect()
            + (d.cause() == null ? "" : " cause=" + d.cause().getClass().getSimpleName()));
      } else if (event instanceof ConnectionEvent.ReconnectScheduled r) {
        lastAttempt = r.attempt();
        out.accept("reconnect attempt=" + r.attempt() + " in=" + decimal(r.delay().toMillis(), 3) + "s");
      } else if (event instanceof ConnectionEvent.MessageDropped m) {
        out.accept("dropped reason=" + m.reason() + " " + show(m.frame()));
      } else if (event instanceof ConnectionEvent.GaveUp g) {
        gaveUp = g;
      }
    }

    /** The session ended: say why, once, and set the exit code. */
    private void end() {
      int code;
      if (gaveUp != null) {
        Throwable cause = gaveUp.cause();
        int attempts = cause instanceof ReconnectExhaustedException exhausted ? exhausted.attempts() : lastAttempt;
        Throwable last = cause instanceof ReconnectExhaustedException exhausted ? exhausted.lastCause() : cause;
        out.accept("gave-up attempts=" + attempts + " cause=" + quoted(String.valueOf(last)));
        code = EXIT_GAVE_UP;
      } else if (stopping || lastDisconnect == null) {
        out.accept("closed");
        code = EXIT_STOPPED;
      } else {
        CloseStatus status = lastDisconnect.status();
        out.accept("stopped code=" + status.code() + " reason=" + quoted(status.reason()));
        code = EXIT_STOPPED;
      }
      Mono<Void> released = vertx == null ? Mono.empty() : Mono.fromCompletionStage(() -> vertx.close().toCompletionStage());
      released.onErrorResume(error -> Mono.empty()).subscribe(null, null, () -> exit.tryEmitValue(code));
    }
  }

  private static String show(WsFrame frame) {
    if (frame instanceof WsFrame.Text text) {
      return "text=" + oneLine(text.text());
    }
    if (frame instanceof WsFrame.Binary binary) {
      return "binary=" + Base64.getEncoder().encodeToString(binary.bytes());
    }
    return "frame=" + frame;
  }

  private static String oneLine(String text) {
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
  }

  private static String quoted(String text) {
    return "\"" + oneLine(text).replace("\"", "\\\"") + "\"";
  }

  /** {@code units / 10^scale} without trailing zeros: 2400 ms at scale 3 is "2.4". */
  private static String decimal(long units, int scale) {
    return BigDecimal.valueOf(units, scale).stripTrailingZeros().toPlainString();
  }
}
