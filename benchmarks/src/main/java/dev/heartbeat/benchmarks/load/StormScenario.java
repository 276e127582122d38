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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 4, reconnect storm: N library clients ({@link StormClient}: ReconnectingSession,
 * the default reconnect strategy with jitter) connected to the server; the server is stopped
 * (SIGTERM), stays down {@code stormDown}, and is started again on the same port. Every
 * client-side connect is timed; reconnects are counted per 100 ms from the first to the last
 * ("the reconnect window"). Reported: peak and mean reconnects per 100 ms in that window
 * (target: peak at most 3 x mean) and the time until all are back, from the restart (when the
 * new server first answered {@code /stats}) and from the stop. Every attempt is timed too
 * ({@link #attemptsPer100ms}): when the clients tried, against when they got in. The same peak
 * over mean is reported for the reconnects by when they began ({@link #acceptedAt}), which is
 * when the kernel accepted them: a completed reconnect also waits for a restarted, cold server
 * to get through the handshakes queued before it, so its curve is the server's warm-up as much
 * as the clients' spread.
 */
final class StormScenario {

  static final long BIN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final LoadBench bench;

  StormScenario(LoadBench bench) {
    this.bench = bench;
  }

  void run(List<ServerSpec> servers) throws IOException, InterruptedException {
    Table table = new Table("Reconnect storm (" + bench.settings.stormSessions() + " library clients, server down "
        + bench.settings.stormDown().toSeconds() + " s; target: peak <= 3 x mean per 100 ms)",
        "server", "sessions", "reconnected", "windowSeconds", "peakPer100ms", "meanPer100ms", "peakOverMean",
        "acceptedPeakOverMean",
        "allBackAfterRestartS", "allBackAfterStopS", "restartToListenS", "portClosedAfterStopS", "exitAfterStopS",
        "clientMaxStallMs");
    for (ServerSpec spec : servers) {
      System.out.println(" - storm " + spec.name());
      try {
        measure(spec, table);
      } catch (RuntimeException e) {
        System.out.println("   FAILED: " + e.getMessage());
        table.add(spec.name(), bench.settings.stormSessions(), "failed: " + e.getMessage(), "", "", "", "", "", "", "", "", "",
            "", "");
      }
    }
    bench.add(table, "storm.csv");
  }

  private void measure(ServerSpec spec, Table table) throws IOException, InterruptedException {
    LoadBench.Settings s = bench.settings;
    int n = s.stormSessions();
    String name = LoadBench.safe(spec.name());
    int port = LoadBench.freePort();
    ServerProcess server = bench.startServer(spec, port, n, "storm-before");
    Path clientLog = bench.out.resolve("logs").resolve("storm-" + name + "-client.log");
    try (ClientProcess client = ClientProcess.start("storm", bench.ownClassPath, StormClient.class,
        List.of("--url", "ws://127.0.0.1:" + port + "/ws", "--sessions", Integer.toString(n),
            "--interval-ms", Long.toString(s.interval().toMillis()), "--timeout-ms", Long.toString(s.timeout().toMillis())),
        clientLog)) {
      client.call("start", Duration.ofMinutes(2));
      awaitConnected(client, n, Duration.ofMinutes(3));
      TimeUnit.SECONDS.sleep(2);

      // The outage is timed from the moment the port stops listening, the same for every server:
      // a baseline dies at once; the library first stops listening, then closes its connections
      // with 1001 (2-7 s for 5,000), and clients that come back meanwhile are refused as by a dead
      // server. The new server starts 5 s after the port closed, as in a rolling restart, even if
      // the old process is still closing connections: the port is free once nothing listens.
      long stopAt = System.nanoTime();
      server.terminate();
      long downFrom = server.awaitPortClosed(Duration.ofSeconds(15));
      ServerProcess old = server;
      CompletableFuture<Long> exitedAt = old.process.onExit().thenApply(p -> System.nanoTime());
      TimeUnit.NANOSECONDS.sleep(Math.max(0, s.stormDown().toNanos() - (System.nanoTime() - downFrom)));
      long restartAt = System.nanoTime();
      server = bench.startServer(spec, port, n, "storm-after");
      long listenAt = System.nanoTime(); // upper bound: /stats answered

      // serverClosed: the new server's closes by cause (the library's /stats; empty for a baseline)
      StringBuilder series = new StringBuilder("msAfterListen,clientConnected,serverActive,serverTotal,serverClosed\n");
      long deadline = listenAt + s.stormDeadline().toNanos();
      int connected = 0;
      while (System.nanoTime() < deadline) {
        connected = client.call("status", Duration.ofSeconds(30)).path("connected").asInt();
        JsonNode stats = server.stats();
        StringBuilder closed = new StringBuilder();
        stats.path("closed").fields().forEachRemaining(cause -> {
          if (cause.getValue().asLong() > 0) {
            closed.append(closed.length() == 0 ? "" : ";").append(cause.getKey()).append('=').append(cause.getValue().asLong());
          }
        });
        series.append(String.format(Locale.ROOT, "%.0f,%d,%d,%d,%s%n", (System.nanoTime() - listenAt) / 1e6, connected,
            stats.path("active").asLong(), stats.path("total").asLong(), closed));
        if (connected >= n) {
          break;
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
      Files.writeString(bench.out.resolve("storm-" + name + "-series.csv"), series);
      old.awaitExit();

      Path connectsFile = bench.out.resolve("storm-" + name + "-connects.csv");
      client.call("connects " + connectsFile, Duration.ofSeconds(30));
      Path attemptsFile = bench.out.resolve("storm-" + name + "-attempts.csv");
      client.call("attempts " + attemptsFile, Duration.ofSeconds(30));
      Files.writeString(bench.out.resolve("storm-" + name + "-attempts-per100ms.csv"),
          attemptsPer100ms(Files.readAllLines(attemptsFile), stopAt, listenAt));
      long[] reconnects = Files.readAllLines(connectsFile).stream().skip(1)
          .mapToLong(line -> Long.parseLong(line.split(",")[0])).filter(t -> t > stopAt).sorted().toArray();
      if (reconnects.length == 0) {
        throw new IllegalStateException("no client reconnected within " + s.stormDeadline());
      }
      Window completed = Window.of(reconnects);
      StringBuilder binCsv = new StringBuilder("binStartMsAfterListen,reconnects\n");
      for (int i = 0; i < completed.counts.length; i++) {
        binCsv.append(String.format(Locale.ROOT, "%.0f,%d%n", (completed.first + i * BIN_NANOS - listenAt) / 1e6,
            completed.counts[i]));
      }
      Files.writeString(bench.out.resolve("storm-" + name + "-per100ms.csv"), binCsv);
      Window accepted = Window.of(acceptedAt(Files.readAllLines(attemptsFile), stopAt));
      long last = reconnects[reconnects.length - 1];
      boolean allBack = connected >= n;
      table.add(spec.name(), n, reconnects.length, completed.counts.length / 10.0, completed.peak(), completed.mean(),
          completed.peak() / completed.mean(), accepted.peak() / accepted.mean(),
          allBack ? (last - listenAt) / 1e9 : Double.NaN, allBack ? (last - stopAt) / 1e9 : Double.NaN,
          (listenAt - restartAt) / 1e9, (downFrom - stopAt) / 1e9, (exitedAt.join() - stopAt) / 1e9,
          client.call("status", Duration.ofSeconds(30)).path("maxStallMs").asLong());
    } finally {
      server.close();
    }
  }

  /** Times counted per 100 ms from the first to the last: the window, its peak and its mean. */
  record Window(long first, int[] counts) {
    static Window of(long[] sortedTimes) {
      long first = sortedTimes.length == 0 ? 0 : sortedTimes[0];
      int bins = sortedTimes.length == 0 ? 1 : (int) ((sortedTimes[sortedTimes.length - 1] - first) / BIN_NANOS) + 1;
      int[] counts = new int[bins];
      for (long t : sortedTimes) {
        counts[(int) ((t - first) / BIN_NANOS)]++;
      }
      return new Window(first, counts);
    }

    int peak() {
      return Arrays.stream(counts).max().orElse(0);
    }

    double mean() {
      return Arrays.stream(counts).sum() / (double) counts.length;
    }
  }

  /**
   * When the reconnects that got in began, sorted: the moment the kernel accepted each, give or
   * take a SYN sent again, since an attempt made while nothing listened was refused at once and
   * failed. It is the "accepts per 100 ms", which the completed reconnects are not: they
   * also wait for a restarted server to get through its handshakes.
   */
  static long[] acceptedAt(List<String> attemptLines, long stopAt) {
    return attemptLines.stream().skip(1).map(line -> line.split(","))
        .filter(f -> Boolean.parseBoolean(f[3]))
        .mapToLong(f -> Long.parseLong(f[0])).filter(t -> t > stopAt).sorted().toArray();
  }

  /**
   * The clients' side of the window, per 100 ms from the stop, the bins labelled in ms after the
   * new server listened: attempts begun, attempts that failed, reconnects completed, and how
   * long the completed ones took from their start (median and max, ms). It tells a wave of
   * attempts (the backoff's doing) from attempts that wait on the server (its doing).
   */
  static String attemptsPer100ms(List<String> attemptLines, long stopAt, long listenAt) {
    record Attempt(long start, long end, boolean connected) {}
    List<Attempt> attempts = attemptLines.stream().skip(1).map(line -> line.split(","))
        .map(f -> new Attempt(Long.parseLong(f[0]), Long.parseLong(f[1]), Boolean.parseBoolean(f[3])))
        .filter(a -> a.end() > stopAt).toList();
    long last = attempts.stream().mapToLong(Attempt::end).max().orElse(stopAt);
    int bins = (int) ((last - stopAt) / BIN_NANOS) + 1;
    int[] begun = new int[bins];
    int[] failed = new int[bins];
    List<List<Long>> took = new ArrayList<>();
    for (int i = 0; i < bins; i++) {
      took.add(new ArrayList<>());
    }
    for (Attempt a : attempts) {
      if (a.start() > stopAt) {
        begun[(int) ((a.start() - stopAt) / BIN_NANOS)]++;
      }
      int at = (int) ((a.end() - stopAt) / BIN_NANOS);
      if (a.connected()) {
        took.get(at).add(a.end() - a.start());
      } else {
        failed[at]++;
      }
    }
    StringBuilder csv = new StringBuilder("binStartMsAfterListen,begun,failed,reconnected,medianTookMs,maxTookMs\n");
    for (int i = 0; i < bins; i++) {
      List<Long> t = took.get(i);
      t.sort(null);
      csv.append(String.format(Locale.ROOT, "%.0f,%d,%d,%d,%.0f,%.0f%n", (stopAt + i * BIN_NANOS - listenAt) / 1e6,
          begun[i], failed[i], t.size(), t.isEmpty() ? 0.0 : t.get(t.size() / 2) / 1e6,
          t.isEmpty() ? 0.0 : t.get(t.size() - 1) / 1e6));
    }
    return csv.toString();
  }

  private static void awaitConnected(ClientProcess client, int n, Duration limit) throws IOException, InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (true) {
      JsonNode status = client.call("status", Duration.ofSeconds(30));
      if (status.path("connected").asInt() >= n) {
        return;
      }
      if (System.nanoTime() > end) {
        throw new IllegalStateException("only " + status.path("connected") + " of " + n + " storm clients connected within " + limit);
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }
}
