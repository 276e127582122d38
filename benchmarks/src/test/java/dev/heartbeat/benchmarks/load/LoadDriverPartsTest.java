package dev.heartbeat.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  void percentilesAreNearestRank() {
    double[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertEquals(5, DeadPeerScenario.percentile(sorted, 50));
    assertEquals(10, DeadPeerScenario.percentile(sorted, 99));
    assertEquals(10, DeadPeerScenario.percentile(sorted, 100));
    assertTrue(Double.isNaN(DeadPeerScenario.percentile(new double[0], 50)));
  }
}
