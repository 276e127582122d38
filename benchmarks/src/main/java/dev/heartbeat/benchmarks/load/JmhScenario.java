package dev.heartbeat.benchmarks.load;

import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Scenario 5, the JMH benchmarks of the heartbeat operator ({@code InboundPathBenchmark}: the
 * cost of one inbound message on the liveness path; {@code SweepBenchmark}: one sweep tick over
 * N connections) and of a Reactor Netty server's write and read of one text message
 * ({@code ServerWriteBenchmark}, {@code TextReadBenchmark}) with the GC profiler, in forked JVMs: {@code -wi 5 -i 10 -f 3}, or
 * {@code -wi 1 -i 2 -f 1} at 1 s each with {@code --quick}. Raw JMH output and JSON are kept.
 */
final class JmhScenario {

  private final LoadBench bench;

  JmhScenario(LoadBench bench) {
    this.bench = bench;
  }

  void run() throws IOException, RunnerException {
    boolean quick = bench.settings.quick();
    OptionsBuilder builder = new OptionsBuilder();
    builder.include("dev\\.heartbeat\\.(benchmarks\\.InboundPathBenchmark|benchmarks\\.SweepBenchmark|netty\\.ServerWriteBenchmark|netty\\.TextReadBenchmark)\\.")
        .addProfiler(GCProfiler.class)
        .warmupIterations(quick ? 1 : 5)
        .measurementIterations(quick ? 2 : 10)
        .forks(quick ? 1 : 3)
        .resultFormat(ResultFormatType.JSON)
        .result(bench.out.resolve("jmh.json").toString())
        .output(bench.out.resolve("jmh.txt").toString());
    if (quick) {
      builder.warmupTime(TimeValue.seconds(1)).measurementTime(TimeValue.seconds(1));
    }
    Options options = builder.build();
    Collection<RunResult> results = new Runner(options).run();
    Table table = new Table("JMH (" + (quick ? "-wi 1 -i 2 -f 1, 1 s iterations" : "-wi 5 -i 10 -f 3") + ", -prof gc)",
        "benchmark", "params", "score", "error", "unit", "allocBytesPerOp");
    for (RunResult result : results) {
      Result<?> primary = result.getPrimaryResult();
      Map<String, Result> secondary = result.getSecondaryResults();
      Result<?> alloc = secondary.get("·gc.alloc.rate.norm");
      if (alloc == null) {
        alloc = secondary.get("gc.alloc.rate.norm");
      }
      String name = result.getParams().getBenchmark();
      table.add(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1),
          String.join(" ", result.getParams().getParamsKeys().stream()
              .map(key -> key + "=" + result.getParams().getParam(key)).toList()),
          primary.getScore(), primary.getScoreError(), primary.getScoreUnit(),
          alloc == null ? Double.NaN : alloc.getScore());
    }
    bench.add(table, "jmh.csv");
  }
}
