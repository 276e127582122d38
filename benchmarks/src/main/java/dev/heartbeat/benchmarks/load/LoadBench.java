package dev.heartbeat.benchmarks.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.heartbeat.benchmarks.baseline.FluxIntervalServer;
import dev.heartbeat.benchmarks.baseline.SweepServer;
import dev.heartbeat.benchmarks.baseline.VertxPeriodicServer;
import dev.heartbeat.test.NodeWs;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The load driver: starts each server under test as its own process, load clients as others
 * (loopback only, at most {@link #PER_CLIENT_PROCESS} connections each, for the 20,000 open
 * files a process may have), measures, and writes raw CSV and a summary to
 * {@code benchmarks/results/<timestamp>/}.
 *
 * <pre>
 * mvn -B -q -DskipTests package -pl benchmarks -am
 * java -cp benchmarks/target/benchmarks.jar dev.heartbeat.benchmarks.load.LoadBench all
 * java -cp benchmarks/target/benchmarks.jar dev.heartbeat.benchmarks.load.LoadBench idle --quick --servers flux-interval,netty-sweep
 * </pre>
 *
 * <p>Scenarios: {@code idle}, {@code deadpeer}, {@code echo}, {@code storm}, {@code jmh}, or
 * {@code all} (in that order). Options: {@code --quick} (small N, short runs: a smoke test),
 * {@code --servers a,b} (default: every server below), {@code --io-uring} (adds the
 * {@code +io_uring} variants of the Reactor Netty servers), {@code --echo-pairs lib:bare,...},
 * {@code --demo-cp} (the library demo server's class path; by default the driver's own, which
 * holds the examples module),
 * {@code --out dir}, and sizes: {@code --idle-sizes 5000,15000}, {@code --steady-seconds},
 * {@code --echo-seconds}, {@code --echo-warmup-seconds}, {@code --echo-rounds}, {@code --deadpeer-connections},
 * {@code --storm-sessions}.
 *
 * <p>Servers: {@code library-netty} and {@code library-vertx} (the demo server,
 * {@code TRANSPORT=netty|vertx}), {@code flux-interval}, {@code vertx-periodic},
 * {@code netty-sweep} (the hand-written baselines) and {@code node-ws} (Node's ws with its
 * isAlive sweep). {@code NAME+io_uring} puts Netty's io_uring transport on the server's class
 * path, which Reactor Netty 1.3 then prefers over epoll (a Vert.x server takes it only when it
 * prefers native transports: the {@code vertx-periodic} baseline does with {@code VERTX_NATIVE=true},
 * which its io_uring variant sets; the demo server does not).
 */
public final class LoadBench {

  /** Connections per client process: the 20,000 open files of a process, with room to spare. */
  static final int PER_CLIENT_PROCESS = 6_000;

  /**
   * In the idle scenario the server runs at a lower CPU priority than its load clients
   * ({@code nice}): the clients stand in for thousands of machines with CPUs of their own, so on
   * the two shared cores a client must never be why an answer is late. Before this, in the
   * connect burst of 15,000 connections, the clients' event loops fell 1-3 s behind (measured by
   * LoopLagMonitor) while the server caught up after a collection; they then read three pings
   * at once, and the server rightly closed the connections whose answers came more than 3 s
   * apart. CPU time and memory are the server's own whatever its priority. The other scenarios
   * run it at the driver's priority: in the storm, 5,000 reconnecting clients at a higher
   * priority starved the restarting server (listening after 8.7 s instead of 4.3 s).
   */
  static final int DEFAULT_IDLE_SERVER_NICE = 10;

  static final String DEMO_MAIN = "dev.heartbeat.examples.DemoServer";

  static final List<String> DEFAULT_SERVERS =
      List.of("library-netty", "library-vertx", "flux-interval", "vertx-periodic", "netty-sweep", "node-ws");

  static final Set<String> IO_URING_BY_DEFAULT = Set.of("library-netty", "flux-interval", "netty-sweep");

  /** The sizes and durations of one run. */
  record Settings(boolean quick, Duration interval, Duration timeout, List<Integer> idleSizes, Duration idleSettle,
      Duration idleSteady, int echoConnections, int echoWindow, int echoSize, Duration echoWarmup,
      Duration echoMeasure, int echoRounds, int deadPeerConnections, int stormSessions, Duration stormDown,
      Duration stormDeadline, int idleServerNice) {

    static Settings of(Map<String, String> options) {
      boolean quick = options.containsKey("quick");
      List<Integer> sizes = Arrays.stream(options.getOrDefault("idle-sizes", quick ? "300" : "5000,15000").split(","))
          .map(String::trim).map(Integer::parseInt).toList();
      return new Settings(quick, Duration.ofSeconds(1), Duration.ofSeconds(3), sizes,
          Duration.ofSeconds(quick ? 2 : 5),
          Duration.ofSeconds(Options.integer(options, "steady-seconds", quick ? 5 : 30)),
          100, 16, 64,
          // 10 rounds of a 10 s warm-up: the rounds of one server differ by up to 30 %, and
          // 3 rounds of 5 s left a library round in its JIT warm-up (BENCHMARKS.md).
          Duration.ofSeconds(Options.integer(options, "echo-warmup-seconds", quick ? 2 : 10)),
          Duration.ofSeconds(Options.integer(options, "echo-seconds", quick ? 3 : 15)),
          Options.integer(options, "echo-rounds", quick ? 1 : 10),
          Options.integer(options, "deadpeer-connections", quick ? 100 : 1_000),
          Options.integer(options, "storm-sessions", quick ? 200 : 5_000),
          Duration.ofSeconds(5),
          Duration.ofSeconds(quick ? 45 : 90),
          Options.integer(options, "idle-server-nice", DEFAULT_IDLE_SERVER_NICE));
    }
  }

  final Settings settings;
  final Path out;
  final Path workDir = Path.of("").toAbsolutePath();
  final List<String> ownClassPath;
  private final Map<String, String> options;
  private final List<Table> tables = new ArrayList<>();
  private final ObjectNode run = ControlLoop.JSON.createObjectNode();

  private LoadBench(Map<String, String> options, Path out) {
    this.options = options;
    this.settings = Settings.of(options);
    this.out = out;
    this.ownClassPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(entry -> Path.of(entry).toAbsolutePath().toString()).toList();
  }

  public static void main(String[] args) throws Exception {
    try {
      run(args);
    } catch (IllegalArgumentException badUsage) {
      System.err.println("LoadBench: " + badUsage.getMessage());
      System.exit(2);
    }
  }

  private static void run(String[] args) throws Exception {
    Map<String, String> options = Options.parse(args, Set.of("quick", "io-uring"));
    String scenario = options.get("");
    List<String> scenarios = switch (scenario) {
      case "all" -> List.of("idle", "deadpeer", "echo", "storm", "jmh");
      case "idle", "deadpeer", "echo", "storm", "jmh" -> List.of(scenario);
      default -> throw new IllegalArgumentException(
          "scenario: one of idle, deadpeer, echo, storm, jmh, all; got '" + scenario + "'");
    };
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path out = Path.of(options.getOrDefault("out",
        "benchmarks/results/" + stamp + (options.containsKey("quick") ? "-quick" : ""))).toAbsolutePath();
    Files.createDirectories(out);
    // Whatever happens, no server or client outlives the driver.
    Runtime.getRuntime().addShutdownHook(new Thread(() ->
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly)));
    LoadBench bench = new LoadBench(options, out);
    bench.describeRun(scenarios);
    for (String name : scenarios) {
      System.out.println("== " + name);
      switch (name) {
        case "idle" -> new IdleScenario(bench).run(bench.servers());
        case "deadpeer" -> new DeadPeerScenario(bench).run(bench.servers());
        case "echo" -> new EchoScenario(bench).run(bench.echoPairs());
        case "storm" -> new StormScenario(bench).run(bench.servers());
        case "jmh" -> new JmhScenario(bench).run();
        default -> throw new AssertionError(name);
      }
      bench.writeSummary();
    }
    System.out.println("results in " + out);
  }

  // ------------------------------------------------------------------ servers

  List<ServerSpec> servers() throws IOException {
    List<String> names = options.containsKey("servers")
        ? Arrays.stream(options.get("servers").split(",")).map(String::trim).toList()
        : new ArrayList<>(DEFAULT_SERVERS);
    if (options.containsKey("io-uring")) {
      List<String> more = new ArrayList<>(names);
      // Reactor Netty servers only: Vert.x takes io_uring only when told to prefer native transports,
      // which the demo server does not (name vertx-periodic+io_uring to measure the baseline that way).
      names.stream().filter(IO_URING_BY_DEFAULT::contains).forEach(n -> more.add(n + "+io_uring"));
      names = more;
    }
    List<ServerSpec> specs = new ArrayList<>();
    for (String name : names) {
      specs.add(server(name));
    }
    return specs;
  }

  ServerSpec server(String name) throws IOException {
    boolean ioUring = name.endsWith("+io_uring");
    String base = ioUring ? name.substring(0, name.length() - "+io_uring".length()) : name;
    List<String> classPath = new ArrayList<>(base.startsWith("library-") ? demoClassPath() : ownClassPath);
    Map<String, String> env = new LinkedHashMap<>();
    if (ioUring) {
      classPath.addAll(ioUringJars());
      env.put("VERTX_NATIVE", "true");
    }
    return switch (base) {
      case "library-netty" -> ServerSpec.java(name, classPath, DEMO_MAIN, with(env, "TRANSPORT", "netty"));
      case "library-vertx" -> ServerSpec.java(name, classPath, DEMO_MAIN, with(env, "TRANSPORT", "vertx"));
      case "flux-interval" -> ServerSpec.java(name, classPath, FluxIntervalServer.class.getName(), env);
      case "vertx-periodic" -> ServerSpec.java(name, classPath, VertxPeriodicServer.class.getName(), env);
      case "netty-sweep" -> ServerSpec.java(name, classPath, SweepServer.class.getName(), env);
      case "node-ws" -> {
        if (ioUring) {
          throw new IllegalArgumentException("--servers: node-ws has no io_uring variant");
        }
        yield nodeServer();
      }
      default -> throw new IllegalArgumentException("--servers: unknown server '" + name + "', known: " + DEFAULT_SERVERS
          + " and each (but node-ws) with +io_uring");
    };
  }

  private static Map<String, String> with(Map<String, String> env, String key, String value) {
    Map<String, String> copy = new LinkedHashMap<>(env);
    copy.put(key, value);
    return copy;
  }

  /**
   * The library demo server's class path: by default this module's own (the examples module is a
   * dependency, so the demo server runs from the same jar as the baselines); {@code --demo-cp}
   * names another, e.g. the examples module's shaded {@code heartbeat-demo.jar}.
   */
  private List<String> demoClassPath() throws IOException {
    String given = options.get("demo-cp");
    if (given == null) {
      try {
        Class.forName(DEMO_MAIN, false, LoadBench.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalArgumentException("servers: this build has no " + DEMO_MAIN
            + " (the examples module lacks it): pass --demo-cp, or leave the library servers out of --servers", e);
      }
      return ownClassPath;
    }
    List<String> classPath = Arrays.stream(given.split(File.pathSeparator))
        .map(entry -> Path.of(entry).toAbsolutePath().toString()).toList();
    for (String entry : classPath) {
      Path path = Path.of(entry);
      if (Files.isRegularFile(path)) {
        try (JarFile jar = new JarFile(path.toFile())) {
          if (jar.getEntry(DEMO_MAIN.replace('.', '/') + ".class") != null) {
            return classPath;
          }
        }
      } else if (Files.isRegularFile(path.resolve(DEMO_MAIN.replace('.', '/') + ".class"))) {
        return classPath;
      }
    }
    throw new IllegalArgumentException("--demo-cp: no " + DEMO_MAIN + " in " + given);
  }

  /** Netty's io_uring jars, which the build copies beside the benchmarks jar. */
  private List<String> ioUringJars() throws IOException {
    for (String entry : ownClassPath) {
      Path dir = Path.of(entry).getParent().resolve("io_uring");
      if (Files.isDirectory(dir)) {
        try (Stream<Path> jars = Files.list(dir)) {
          List<String> found = jars.filter(p -> p.toString().endsWith(".jar")).map(Path::toString).sorted().toList();
          if (!found.isEmpty()) {
            return found;
          }
        }
      }
    }
    throw new IllegalStateException("io_uring: no target/io_uring/*.jar beside the benchmarks class path; "
        + "build with mvn -B -q -DskipTests package -pl benchmarks -am");
  }

  /** Node's ws server: Node and ws (the version NodeWs pins) installed on first use by the test kit. */
  private ServerSpec nodeServer() throws IOException {
    Path home = NodeWs.ensureInstalled();
    Path script = home.resolve("bench-node-ws-server.js");
    try (InputStream in = FluxIntervalServer.class.getResourceAsStream("node-ws-server.js")) {
      if (in == null) {
        throw new IllegalStateException("node-ws-server.js is missing from the class path");
      }
      Files.write(script, in.readAllBytes());
    }
    return new ServerSpec("node-ws", List.of("node", "--expose-gc", script.toString()), Map.of(), false);
  }

  List<ServerSpec[]> echoPairs() throws IOException {
    String pairs = options.getOrDefault("echo-pairs", "library-netty:netty-sweep,library-vertx:vertx-periodic");
    List<ServerSpec[]> result = new ArrayList<>();
    for (String pair : pairs.split(",")) {
      String[] names = pair.trim().split(":");
      if (names.length != 2) {
        throw new IllegalArgumentException("--echo-pairs: expected library:bare, got '" + pair + "'");
      }
      result.add(new ServerSpec[] {server(names[0]), server(names[1])});
    }
    return result;
  }

  // ------------------------------------------------------------------ helpers for scenarios

  /** A free port on the loopback interface. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  /** Starts {@code spec} for {@code connections} connections, checking its limit on open files. */
  ServerProcess startServer(ServerSpec spec, int port, int connections, String tag) throws IOException, InterruptedException {
    return startServer(spec, port, connections, tag, 0);
  }

  /** {@link #startServer(ServerSpec, int, int, String)} at {@code nice}. */
  ServerProcess startServer(ServerSpec spec, int port, int connections, String tag, int nice)
      throws IOException, InterruptedException {
    Path log = out.resolve("logs").resolve(tag + "-" + safe(spec.name()) + ".log");
    Files.createDirectories(log.getParent());
    ServerProcess server = ServerProcess.start(spec, port, settings.interval(), settings.timeout(), nice, log, workDir);
    long limit = ProcStats.maxOpenFiles(server.pid());
    System.out.println("   " + spec.name() + " pid " + server.pid() + " on " + port + ", ulimit -n " + limit);
    if (limit >= 0 && limit < connections + 100) {
      server.close();
      throw new IllegalStateException(spec.name() + ": ulimit -n is " + limit + ", too low for " + connections + " connections");
    }
    return server;
  }

  /** Load clients for {@code connections} connections to {@code server}, at most {@link #PER_CLIENT_PROCESS} each. */
  List<ClientProcess> startLoadClients(ServerProcess server, int connections, String tag)
      throws IOException, InterruptedException {
    int processes = Math.max(1, (connections + PER_CLIENT_PROCESS - 1) / PER_CLIENT_PROCESS);
    List<ClientProcess> clients = new ArrayList<>();
    try {
      for (int i = 0; i < processes; i++) {
        int count = connections / processes + (i < connections % processes ? 1 : 0);
        Path log = out.resolve("logs").resolve(tag + "-" + safe(server.spec.name()) + "-client" + i + ".log");
        ClientProcess client = ClientProcess.start("client" + i, ownClassPath, LoadClient.class,
            List.of("--url", "ws://127.0.0.1:" + server.port + "/ws", "--connections", Integer.toString(count)), log);
        long limit = client.ready.path("maxOpenFiles").asLong();
        if (limit >= 0 && limit < count + 100) {
          client.close();
          throw new IllegalStateException("client" + i + ": ulimit -n is " + limit + ", too low for " + count + " connections");
        }
        clients.add(client);
      }
    } catch (IOException | RuntimeException | InterruptedException e) {
      for (ClientProcess started : clients) {
        started.close();
      }
      throw e;
    }
    return clients;
  }

  static String safe(String name) {
    return name.replace('+', '-');
  }

  void add(Table table, String file) throws IOException {
    table.writeCsv(out.resolve(file));
    tables.add(table);
    System.out.println(table.markdown());
  }

  private void writeSummary() throws IOException {
    StringBuilder md = new StringBuilder("# Load run " + out.getFileName() + (settings.quick() ? " (--quick: smoke figures)" : "") + "\n\n");
    md.append("Machine: ").append(run.path("machine").toString()).append("\n\n");
    md.append("Server JVM flags: `").append(String.join(" ", ServerSpec.SERVER_JVM_FLAGS)).append("`; client JVM flags: `")
        .append(String.join(" ", ClientProcess.CLIENT_JVM_FLAGS)).append("`; idle servers run at `nice -n ")
        .append(settings.idleServerNice()).append("` under their clients\n\n");
    for (Table table : tables) {
      md.append(table.markdown()).append('\n');
    }
    Files.writeString(out.resolve("summary.md"), md);
  }

  private void describeRun(List<String> scenarios) throws IOException {
    ObjectNode machine = run.putObject("machine");
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("cpu", firstLine(Path.of("/proc/cpuinfo"), "model name"));
    machine.put("memory", firstLine(Path.of("/proc/meminfo"), "MemTotal"));
    machine.put("kernel", System.getProperty("os.version"));
    machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    machine.put("loadAverageAtStart", Files.readString(Path.of("/proc/loadavg")).trim());
    machine.put("ulimitN", ProcStats.maxOpenFiles(ProcessHandle.current().pid()));
    run.putPOJO("scenarios", scenarios);
    run.putPOJO("settings", settings.toString());
    run.putPOJO("options", options);
    run.putPOJO("serverJvmFlags", ServerSpec.SERVER_JVM_FLAGS);
    run.put("idleServerNice", settings.idleServerNice());
    run.putPOJO("clientJvmFlags", ClientProcess.CLIENT_JVM_FLAGS);
    ControlLoop.JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("run.json").toFile(), run);
  }

  private static String firstLine(Path file, String prefix) {
    try {
      return Files.readAllLines(file).stream().filter(line -> line.startsWith(prefix))
          .map(line -> line.substring(line.indexOf(':') + 1).trim()).findFirst().orElse("?");
    } catch (IOException e) {
      return "?";
    }
  }
}
