package dev.heartbeat.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The load driver's pure parts: option parsing, /proc reading, percentiles. */
class LoadDriverPartsTest {

  @Test
  void flagsNeverTakeTheNextWordAndOptionsDo() {
    Map<String, String> options = Options.parse(new String[] {"--quick", "idle", "--servers", "a,b", "--out=x"},
        Set.of("quick"));
    assertEquals("true", options.get("quick"));
    assertEquals("idle", options.get(""));
    assertEquals("a,b", options.get("servers"));
    assertEquals("x", options.get("out"));
  }

  @Test
  void aBadNumberNamesItsOption() {
    Map<String, String> options = Options.parse(new String[] {"--connections", "many"});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Options.integer(options, "connections", 1));
    assertTrue(e.getMessage().startsWith("--connections:"), e.getMessage());
  }

  @Test
  void readsThisProcessFromProc() {
    long pid = ProcessHandle.current().pid();
    ProcStats.Sample sample = ProcStats.sample(pid);
    assertTrue(sample.rssKb() > 0, "rss " + sample.rssKb());
    assertTrue(sample.threads() > 0, "threads " + sample.threads());
    assertTrue(ProcStats.maxOpenFiles(pid) > 0, "ulimit -n");
    assertTrue(ProcStats.pollers(pid).containsKey("eventpoll"));
  }

  @Test
  void cpuPercentIsTicksOverWallTime() {
    ProcStats.Sample from = new ProcStats.Sample(0, 100, 40, 0, 1);
    ProcStats.Sample to = new ProcStats.Sample(2_000_000_000L, 150, 70, 0, 1); // 0.5 s of CPU in 2 s, 0.3 s in the kernel
    assertEquals(25.0, ProcStats.cpuPercent(from, to), 1e-9);
    assertEquals(60.0, ProcStats.kernelShare(from, to), 1e-9);
    assertEquals(0.0, ProcStats.kernelShare(from, from), "no CPU used: no share");
  }

  @Test
  void aStormsAttemptsAreBinnedFromTheStopAndLabelledFromTheListen() {
    long ms = 1_000_000L;
    long stop = 1_000 * ms;
    long listen = stop + 250 * ms;
    List<String> lines = List.of("startNanos,endNanos,attempt,connected",
        (stop - 50 * ms) + "," + (stop - 10 * ms) + ",0,true", // before the stop: left out
        (stop + 10 * ms) + "," + (stop + 20 * ms) + ",1,false", // refused at once
        (stop + 110 * ms) + "," + (stop + 230 * ms) + ",2,true", // waited 120 ms for the server
        (stop + 120 * ms) + "," + (stop + 250 * ms) + ",2,true"); // 130 ms
    assertEquals(List.of(
        "binStartMsAfterListen,begun,failed,reconnected,medianTookMs,maxTookMs",
        "-250,1,1,0,0,0",
        "-150,2,0,0,0,0",
        "-50,0,0,2,130,130"), StormScenario.attemptsPer100ms(lines, stop, listen).lines().toList());
  }

  @Test
  void aStormsWindowRunsFromItsFirstTimeToItsLastIn100MsBins() {
    long ms = 1_000_000L;
    StormScenario.Window window = StormScenario.Window.of(new long[] {5 * ms, 40 * ms, 120 * ms, 130 * ms, 140 * ms, 399 * ms});
    assertEquals(5 * ms, window.first());
    assertEquals(List.of(2, 3, 0, 1), Arrays.stream(window.counts()).boxed().toList(), "bins from the first time");
    assertEquals(3, window.peak());
    assertEquals(1.5, window.mean(), 1e-9, "an empty bin inside the window counts");
  }

  @Test
  void theAcceptedAreTheReconnectsThatGotInByWhenTheyBegan() {
    List<String> lines = List.of("startNanos,endNanos,attempt,connected",
        "50,60,0,true", // the first connect, before the stop
        "300,310,1,false", // refused
        "500,900,2,true",
        "400,950,2,true");
    assertArrayEquals(new long[] {400, 500}, StormScenario.acceptedAt(lines, 100));
  }

  @Test
  void percentilesAreNearestRank() {
    double[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertEquals(5, DeadPeerScenario.percentile(sorted, 50));
    assertEquals(10, DeadPeerScenario.percentile(sorted, 99));
    assertEquals(10, DeadPeerScenario.percentile(sorted, 100));
    assertTrue(Double.isNaN(DeadPeerScenario.percentile(new double[0], 50)));
  }
}
