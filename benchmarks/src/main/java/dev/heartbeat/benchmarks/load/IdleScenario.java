package dev.heartbeat.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 1, idle capacity: N connections that only exchange heartbeats (every second,
 * timeout 3 s). Once all are open and a settling pause has passed, the server's CPU time and
 * RSS are sampled from {@code /proc} every second through the steady window. Reported: CPU % of
 * one core over the window, RSS growth per connection (the heap is pre-touched, so this is the
 * off-heap cost), live heap per connection after a full GC, and false timeouts: any connection
 * the server closed as dead (its {@code closedByTimeout}) or the clients saw closed, from the
 * connect burst to the end.
 */
final class IdleScenario {

  private final LoadBench bench;

  IdleScenario(LoadBench bench) {
    this.bench = bench;
  }

  void run(List<ServerSpec> servers) throws IOException, InterruptedException {
    Table table = new Table("Idle capacity (heartbeat 1 s, timeout 3 s, steady " + bench.settings.idleSteady().toSeconds() + " s)",
        "server", "connections", "open", "connectSeconds", "cpuPercent", "kernelSharePercent", "rssBeforeMB", "rssAfterMB", "rssPerConnKB",
        "liveHeapPerConnKB", "closedByTimeout", "clientSawClosed", "timeoutClosesAtClient", "clientMaxStallMs",
        "clientMaxLoopLagMs", "io", "threads");
    for (int size : bench.settings.idleSizes()) {
      for (ServerSpec spec : servers) {
        System.out.println(" - idle " + spec.name() + " x " + size);
        try {
          measure(spec, size, table);
        } catch (RuntimeException e) {
          System.out.println("   FAILED: " + e.getMessage());
          table.add(spec.name(), size, "failed: " + e.getMessage(), "", "", "", "", "", "", "", "", "", "", "", "", "", "");
        }
      }
    }
    bench.add(table, "idle.csv");
  }

  private void measure(ServerSpec spec, int size, Table table) throws IOException, InterruptedException {
    String tag = "idle-" + size;
    try (ServerProcess server = bench.startServer(spec, LoadBench.freePort(), size, tag, bench.settings.idleServerNice())) {
      TimeUnit.SECONDS.sleep(1);
      JsonNode before = server.statsAfterGc();
      ProcStats.Sample idle = ProcStats.sample(server.pid());
      List<ClientProcess> clients = bench.startLoadClients(server, size, tag);
      try {
        for (ClientProcess client : clients) {
          client.send("connect");
        }
        int open = 0;
        double connectSeconds = 0;
        for (ClientProcess client : clients) {
          JsonNode connected = client.await("connect", Duration.ofMinutes(10));
          open += connected.path("open").asInt();
          connectSeconds = Math.max(connectSeconds, connected.path("seconds").asDouble());
          if (connected.path("failed").asInt() > 0) {
            System.out.println("   " + client.name + " failed connects: " + connected);
          }
        }
        System.out.printf("   %d/%d open in %.1f s%n", open, size, connectSeconds);
        TimeUnit.NANOSECONDS.sleep(bench.settings.idleSettle().toNanos());

        StringBuilder samples = new StringBuilder("secondsIntoSteady,cpuTicks,rssKb,threads,active,closedByTimeout\n");
        List<ProcStats.Sample> taken = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + bench.settings.idleSteady().toNanos();
        JsonNode stats = null;
        for (long next = start; ; next += TimeUnit.SECONDS.toNanos(1)) {
          TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
          ProcStats.Sample sample = ProcStats.sample(server.pid());
          taken.add(sample);
          stats = server.stats();
          samples.append(String.format(java.util.Locale.ROOT, "%.3f,%d,%d,%d,%d,%d%n", (sample.nanoTime() - start) / 1e9,
              sample.cpuTicks(), sample.rssKb(), sample.threads(), stats.path("active").asLong(),
              stats.path("closedByTimeout").asLong()));
          if (next >= end) {
            break;
          }
        }
        Files.writeString(bench.out.resolve(tag + "-" + LoadBench.safe(spec.name()) + "-samples.csv"), samples);
        ProcStats.Sample first = taken.get(0);
        ProcStats.Sample last = taken.get(taken.size() - 1);
        // /stats itself costs the server a little CPU: one request a second, the same for every server.
        double cpu = ProcStats.cpuPercent(first, last);
        double kernelShare = ProcStats.kernelShare(first, last);

        long sawClosed = 0;
        long maxStallMs = 0;
        long maxLoopLagMs = 0;
        List<JsonNode> evidence = new ArrayList<>();
        for (ClientProcess client : clients) {
          JsonNode status = client.call("status", Duration.ofSeconds(30));
          sawClosed += status.path("closedByServer").asLong() + status.path("dropped").asLong();
          maxStallMs = Math.max(maxStallMs, status.path("maxStallMs").asLong());
          maxLoopLagMs = Math.max(maxLoopLagMs, status.path("maxLoopLagMs").asLong());
          status.path("timeoutCloses").forEach(evidence::add);
        }
        if (!evidence.isEmpty()) {
          Files.writeString(bench.out.resolve(tag + "-" + LoadBench.safe(spec.name()) + "-timeout-closes.json"),
              evidence.toString());
        }
        JsonNode after = server.statsAfterGc();
        double liveHeapPerConnKb = (after.path("heapUsedBytes").asDouble() - before.path("heapUsedBytes").asDouble()) / size / 1024;
        double rssPerConnKb = (last.rssKb() - idle.rssKb()) / (double) size;
        String io = after.path("io").asText("") + " " + ProcStats.pollers(server.pid()) + " " + ProcStats.eventLoopThreads(server.pid());
        table.add(spec.name(), size, open, connectSeconds, cpu, kernelShare, idle.rssKb() / 1024.0, last.rssKb() / 1024.0, rssPerConnKb,
            liveHeapPerConnKb, after.path("closedByTimeout").asLong(), sawClosed, evidenceSummary(evidence), maxStallMs, maxLoopLagMs, io,
            last.threads());
      } finally {
        for (ClientProcess client : clients) {
          client.close();
        }
      }
    }
  }

  /**
   * What the clients knew of each connection the server closed as dead: how long the client had
   * been silent on it (under the timeout: a false timeout; over it: the client was too slow to
   * answer), and how many of them had never received a ping.
   */
  private static String evidenceSummary(List<JsonNode> closes) {
    if (closes.isEmpty()) {
      return "";
    }
    LongSummaryStatistics silence = closes.stream().mapToLong(c -> c.path("silenceMs").asLong())
        .filter(ms -> ms >= 0).summaryStatistics();
    LongSummaryStatistics open = closes.stream().mapToLong(c -> c.path("openMs").asLong()).summaryStatistics();
    LongSummaryStatistics lag = closes.stream().mapToLong(c -> c.path("loopLagMs").asLong()).summaryStatistics();
    long neverPinged = closes.stream().filter(c -> c.path("pongs").asLong() == 0).count();
    return closes.size() + " closes: silent " + (silence.getCount() == 0 ? "-" : silence.getMin() + "-" + silence.getMax())
        + " ms, " + neverPinged + " never pinged, open " + open.getMin() + "-" + open.getMax() + " ms, client loop "
        + lag.getMin() + "-" + lag.getMax() + " ms behind";
  }
}
