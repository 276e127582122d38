package dev.heartbeat.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 3, dead-peer detection: N connections, then the client process is stopped with
 * SIGSTOP (its sockets stay open and the kernel keeps acknowledging: a half-open peer). The
 * server's {@code closedByTimeout} is polled every {@link #POLL}; each rise dates the closes
 * it counts (late by at most one poll). After SIGCONT the client tells when it last answered a
 * ping on each connection: its last sign of life. Closes happen in order of last sign of life,
 * so the k-th close is matched with the k-th earliest last pong, and its lag is the time
 * between them. Target: every lag at most timeout + 100 ms.
 */
final class DeadPeerScenario {

  static final Duration POLL = Duration.ofMillis(10);

  private final LoadBench bench;

  DeadPeerScenario(LoadBench bench) {
    this.bench = bench;
  }

  void run(List<ServerSpec> servers) throws IOException, InterruptedException {
    long targetMs = bench.settings.timeout().toMillis() + 100;
    Table table = new Table("Dead-peer detection (timeout " + bench.settings.timeout().toMillis() + " ms; target: closed at most "
        + targetMs + " ms after the last sign of life)",
        "server", "connections", "closed", "stopToFirstCloseMs", "stopToLastCloseMs", "lagP50Ms", "lagP99Ms", "lagMaxMs",
        "withinTarget", "pollMs");
    for (ServerSpec spec : servers) {
      System.out.println(" - deadpeer " + spec.name());
      try {
        measure(spec, table, targetMs);
      } catch (RuntimeException e) {
        System.out.println("   FAILED: " + e.getMessage());
        table.add(spec.name(), bench.settings.deadPeerConnections(), "failed: " + e.getMessage(), "", "", "", "", "", "", "");
      }
    }
    bench.add(table, "deadpeer.csv");
  }

  private void measure(ServerSpec spec, Table table, long targetMs) throws IOException, InterruptedException {
    int n = bench.settings.deadPeerConnections();
    String tag = "deadpeer";
    String name = LoadBench.safe(spec.name());
    try (ServerProcess server = bench.startServer(spec, LoadBench.freePort(), n, tag)) {
      List<ClientProcess> clients = bench.startLoadClients(server, n, tag);
      try {
        for (ClientProcess client : clients) {
          JsonNode connected = client.call("connect", Duration.ofMinutes(5));
          if (connected.path("failed").asInt() > 0) {
            throw new IllegalStateException("connects failed: " + connected);
          }
        }
        // A few heartbeats first, so that every connection has answered pings.
        TimeUnit.MILLISECONDS.sleep(Math.max(3_000, 2 * bench.settings.interval().toMillis()));
        long closedBefore = server.stats().path("closedByTimeout").asLong();

        for (ClientProcess client : clients) {
          client.freeze();
        }
        long stoppedAt = System.nanoTime();
        List<long[]> rises = new ArrayList<>(); // {nanoTime, closes so far}
        StringBuilder polls = new StringBuilder("msAfterStop,closedByTimeout,active\n");
        long deadline = stoppedAt + bench.settings.timeout().toNanos() + bench.settings.interval().toNanos()
            + TimeUnit.SECONDS.toNanos(5);
        long closed = 0;
        while (closed < n && System.nanoTime() < deadline) {
          JsonNode stats = server.stats();
          long now = System.nanoTime();
          long count = stats.path("closedByTimeout").asLong() - closedBefore;
          polls.append(String.format(Locale.ROOT, "%.1f,%d,%d%n", (now - stoppedAt) / 1e6, count, stats.path("active").asLong()));
          if (count > closed) {
            rises.add(new long[] {now, count});
            closed = count;
          }
          TimeUnit.NANOSECONDS.sleep(POLL.toNanos());
        }
        Files.writeString(bench.out.resolve(tag + "-" + name + "-polls.csv"), polls);

        List<Long> lastPongs = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
          ClientProcess client = clients.get(i);
          client.thaw();
          Path file = bench.out.resolve(tag + "-" + name + "-lastpongs-" + i + ".csv");
          client.call("lastpongs " + file + " " + stoppedAt, Duration.ofSeconds(30));
          Files.readAllLines(file).stream().skip(1).map(line -> line.split(",")[1]).map(Long::parseLong)
              .forEach(lastPongs::add);
        }
        long[] lastPong = lastPongs.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] closeAt = new long[(int) closed];
        int k = 0;
        for (long[] rise : rises) {
          while (k < rise[1] && k < closeAt.length) {
            closeAt[k++] = rise[0];
          }
        }
        StringBuilder closes = new StringBuilder("close,msAfterStop,lastPongMsBeforeStop,lagMs\n");
        double[] lags = new double[closeAt.length];
        for (int i = 0; i < closeAt.length; i++) {
          long pong = i < lastPong.length ? lastPong[i] : stoppedAt;
          lags[i] = (closeAt[i] - pong) / 1e6;
          closes.append(String.format(Locale.ROOT, "%d,%.1f,%.1f,%.1f%n", i, (closeAt[i] - stoppedAt) / 1e6,
              (stoppedAt - pong) / 1e6, lags[i]));
        }
        Files.writeString(bench.out.resolve(tag + "-" + name + "-closes.csv"), closes);
        double[] sorted = lags.clone();
        Arrays.sort(sorted);
        boolean within = closed == n && sorted.length > 0 && sorted[sorted.length - 1] <= targetMs;
        table.add(spec.name(), n, closed,
            closeAt.length == 0 ? Double.NaN : (closeAt[0] - stoppedAt) / 1e6,
            closeAt.length == 0 ? Double.NaN : (closeAt[closeAt.length - 1] - stoppedAt) / 1e6,
            percentile(sorted, 50), percentile(sorted, 99), percentile(sorted, 100), within ? "yes" : "NO", POLL.toMillis());
      } finally {
        for (ClientProcess client : clients) {
          client.close();
        }
      }
    }
  }

  static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
