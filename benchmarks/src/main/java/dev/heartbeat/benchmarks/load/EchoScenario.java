package dev.heartbeat.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 2, echo: {@code echoConnections} connections, each keeping {@code echoWindow} text
 * messages of {@code echoSize} bytes outstanding, for a warm-up then the measured window:
 * echoes per second and latency percentiles (HdrHistogram, raw distribution kept per run). The
 * library server and the bare one of each pair run alternately, in one sitting, the order
 * flipped every round; the ratio is of the medians over the rounds. With each rate, the server's
 * CPU time per message over the same window: on two cores shared with the load client, the rate
 * moves with how the scheduler splits them, the cost per message much less.
 */
final class EchoScenario {

  private final LoadBench bench;

  EchoScenario(LoadBench bench) {
    this.bench = bench;
  }

  void run(List<ServerSpec[]> pairs) throws IOException, InterruptedException {
    LoadBench.Settings s = bench.settings;
    Table runs = new Table("Echo runs (" + s.echoConnections() + " connections x " + s.echoWindow() + " outstanding, "
        + s.echoSize() + "-byte text, " + s.echoMeasure().toSeconds() + " s measured)",
        "round", "server", "messagesPerSecond", "p50Us", "p99Us", "p999Us", "maxUs", "serverCpuPercent",
        "serverCpuUsPerMessage", "histogram");
    Table ratios = new Table("Echo, library against bare transport (median of rounds)",
        "library", "bare", "libraryPerSecond", "barePerSecond", "ratio", "libraryP50Us", "bareP50Us", "libraryP99Us",
        "bareP99Us", "libraryCpuUsPerMessage", "bareCpuUsPerMessage", "cpuPerMessageRatio");
    for (ServerSpec[] pair : pairs) {
      Map<String, List<JsonNode>> results = new LinkedHashMap<>();
      for (int round = 1; round <= s.echoRounds(); round++) {
        ServerSpec[] order = round % 2 == 1 ? pair : new ServerSpec[] {pair[1], pair[0]};
        for (ServerSpec spec : order) {
          System.out.println(" - echo round " + round + " " + spec.name());
          try {
            JsonNode result = measure(spec, round);
            results.computeIfAbsent(spec.name(), k -> new ArrayList<>()).add(result);
            runs.add(round, spec.name(), result.path("perSecond").asDouble(), result.path("p50Us").asDouble(),
                result.path("p99Us").asDouble(), result.path("p999Us").asDouble(), result.path("maxUs").asDouble(),
                result.path("serverCpuPercent").asDouble(), result.path("serverCpuUsPerMessage").asDouble(),
                bench.out.relativize(Path.of(result.path("histogram").asText())));
          } catch (RuntimeException e) {
            System.out.println("   FAILED: " + e.getMessage());
            runs.add(round, spec.name(), "failed: " + e.getMessage(), "", "", "", "", "", "", "");
          }
        }
      }
      List<JsonNode> library = results.getOrDefault(pair[0].name(), List.of());
      List<JsonNode> bare = results.getOrDefault(pair[1].name(), List.of());
      double libraryRate = median(library, "perSecond");
      double bareRate = median(bare, "perSecond");
      double libraryCpu = median(library, "serverCpuUsPerMessage");
      double bareCpu = median(bare, "serverCpuUsPerMessage");
      ratios.add(pair[0].name(), pair[1].name(), libraryRate, bareRate, libraryRate / bareRate,
          median(library, "p50Us"), median(bare, "p50Us"), median(library, "p99Us"), median(bare, "p99Us"),
          libraryCpu, bareCpu, libraryCpu / bareCpu);
    }
    bench.add(runs, "echo-runs.csv");
    bench.add(ratios, "echo.csv");
  }

  private JsonNode measure(ServerSpec spec, int round) throws IOException, InterruptedException {
    LoadBench.Settings s = bench.settings;
    String tag = "echo-" + round;
    try (ServerProcess server = bench.startServer(spec, LoadBench.freePort(), s.echoConnections(), tag)) {
      List<ClientProcess> clients = bench.startLoadClients(server, s.echoConnections(), tag);
      try {
        ClientProcess client = clients.get(0);
        JsonNode connected = client.call("connect", Duration.ofMinutes(2));
        if (connected.path("open").asInt() != s.echoConnections()) {
          throw new IllegalStateException("only " + connected.path("open") + " of " + s.echoConnections() + " connections opened");
        }
        Path histogram = bench.out.resolve(tag + "-" + LoadBench.safe(spec.name()) + "-latency.hgrm");
        // The server's CPU time over the client's measured window: the rate depends on how the two
        // shared cores were split between client and server, the cost per message does not.
        CompletableFuture<ProcStats.Sample> windowStart = CompletableFuture.supplyAsync(() -> ProcStats.sample(server.pid()),
            CompletableFuture.delayedExecutor(s.echoWarmup().toMillis(), TimeUnit.MILLISECONDS));
        JsonNode result = client.call(String.join(" ", "echo", Integer.toString(s.echoWindow()), Integer.toString(s.echoSize()),
            Long.toString(s.echoWarmup().toMillis()), Long.toString(s.echoMeasure().toMillis()), histogram.toString()),
            s.echoWarmup().plus(s.echoMeasure()).plusSeconds(60));
        ProcStats.Sample start = windowStart.join();
        ProcStats.Sample end = ProcStats.sample(server.pid());
        double cpuPercent = ProcStats.cpuPercent(start, end);
        double messages = result.path("perSecond").asDouble() * s.echoMeasure().toNanos() / 1e9;
        double cpuUsPerMessage = messages <= 0 ? Double.NaN : ProcStats.cpuSeconds(start, end) * 1e6 / messages;
        ((ObjectNode) result).put("serverCpuPercent", cpuPercent).put("serverCpuUsPerMessage", cpuUsPerMessage);
        System.out.printf("   %.0f msg/s, p50 %.0f us, p99 %.0f us, server %.0f %% CPU, %.2f us/message%n",
            result.path("perSecond").asDouble(), result.path("p50Us").asDouble(), result.path("p99Us").asDouble(),
            cpuPercent, cpuUsPerMessage);
        return result;
      } finally {
        for (ClientProcess client : clients) {
          client.close();
        }
      }
    }
  }

  private static double median(List<JsonNode> results, String field) {
    double[] values = results.stream().mapToDouble(r -> r.path(field).asDouble()).sorted().toArray();
    if (values.length == 0) {
      return Double.NaN;
    }
    return values.length % 2 == 1 ? values[values.length / 2] : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
  }
}
