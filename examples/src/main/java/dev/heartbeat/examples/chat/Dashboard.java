package dev.heartbeat.examples.chat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.heartbeat.examples.TransportName;
import dev.heartbeat.examples.server.ServerStats;
import dev.heartbeat.server.ConnectionRegistry;
import dev.heartbeat.server.RegistrySnapshot;
import dev.heartbeat.server.ServerMonitor;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Flux;

/**
 * The dashboard's live feed: the registry's figures every period ({@link ServerMonitor}), with
 * the heartbeat round-trip times that {@code ServerMetrics} records in the {@code heartbeat.rtt}
 * timer, as one JSON object per event:
 *
 * <pre>{@code
 * {"time":1735689600000,"transport":"netty","active":3,"totalOpened":10,
 *  "closed":{"normal":1,"heartbeat_timeout":0,"superseded":1,"policy":0,"too_big":0,"shutdown":0,"error":0},
 *  "rtt":{"count":42,"p50Ms":1.2,"p99Ms":3.4,"buckets":[{"leMs":1,"count":10},...,{"leMs":null,"count":0}]},
 *  "heartbeats":{"sent":100,"answered":98,"missed":2}}
 * }</pre>
 *
 * <p>Buckets count round trips since the server started, each bucket on its own (not
 * cumulative), the last one ({@code leMs} null) above the largest bound; p50 and p99 are over
 * Micrometer's sliding window (the last two minutes or so), null before the first round trip.
 */
final class Dashboard {

  /** Upper bounds of the round-trip buckets, in milliseconds. */
  static final long[] BUCKET_BOUNDS_MS = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000};

  private static final String RTT = "heartbeat.rtt";

  private final ConnectionRegistry registry;
  private final TransportName transport;
  private final Timer rtt;
  private final ServerMonitor monitor;

  Dashboard(ConnectionRegistry registry, TransportName transport, Timer rtt, Duration every) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.transport = Objects.requireNonNull(transport, "transport");
    this.rtt = Objects.requireNonNull(rtt, "rtt");
    this.monitor = ServerMonitor.builder(registry).period(every).build();
  }

  /**
   * Gives the {@code heartbeat.rtt} timer the dashboard's bucket bounds and p50/p99, on top of
   * the percentile histogram {@code ServerMetrics} asks for. Register it before binding.
   */
  static MeterFilter rttBuckets() {
    double[] boundsNanos = Arrays.stream(BUCKET_BOUNDS_MS).mapToDouble(ms -> TimeUnit.MILLISECONDS.toNanos(ms)).toArray();
    return new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (!RTT.equals(id.getName())) {
          return config;
        }
        return DistributionStatisticConfig.builder()
            .serviceLevelObjectives(boundsNanos)
            .percentiles(0.5, 0.99)
            .build()
            .merge(config);
      }
    };
  }

  /** The name of the timer to hand to the constructor. */
  static String rttTimerName() {
    return RTT;
  }

  /** One event per period, the first one period after subscribing; a slow reader misses some. */
  Flux<String> events() {
    return monitor.snapshots().onBackpressureDrop().map(this::json);
  }

  /** The event for {@code snapshot}. */
  String json(RegistrySnapshot snapshot) {
    ObjectNode event = ServerStats.JSON.createObjectNode();
    event.put("time", System.currentTimeMillis());
    event.put("transport", transport.id());
    event.put("active", registry.active());
    event.put("totalOpened", snapshot.totalOpened());
    event.set("closed", ServerStats.closedByCause(snapshot));
    event.set("rtt", rtt(rtt.takeSnapshot()));
    event.set("heartbeats", ServerStats.heartbeats(snapshot));
    return event.toString();
  }

  private static ObjectNode rtt(HistogramSnapshot histogram) {
    ObjectNode rtt = ServerStats.JSON.createObjectNode();
    rtt.put("count", histogram.count());
    putPercentile(rtt, "p50Ms", histogram, 0.5);
    putPercentile(rtt, "p99Ms", histogram, 0.99);
    ArrayNode buckets = rtt.putArray("buckets");
    double below = 0; // cumulative count up to the previous bound
    for (long boundMs : BUCKET_BOUNDS_MS) {
      double upTo = cumulativeAt(histogram, TimeUnit.MILLISECONDS.toNanos(boundMs));
      buckets.addObject().put("leMs", boundMs).put("count", Math.round(upTo - below));
      below = upTo;
    }
    buckets.addObject().putNull("leMs").put("count", Math.max(0, Math.round(histogram.count() - below)));
    return rtt;
  }

  private static double cumulativeAt(HistogramSnapshot histogram, long boundNanos) {
    double count = 0;
    for (CountAtBucket bucket : histogram.histogramCounts()) {
      if (bucket.bucket() <= boundNanos) {
        count = Math.max(count, bucket.count()); // counts are cumulative: the last bucket within the bound
      }
    }
    return count;
  }

  private static void putPercentile(ObjectNode rtt, String field, HistogramSnapshot histogram, double percentile) {
    for (ValueAtPercentile value : histogram.percentileValues()) {
      if (value.percentile() == percentile && histogram.count() > 0) {
        rtt.put(field, Math.round(value.value(TimeUnit.MILLISECONDS) * 1000) / 1000.0);
        return;
      }
    }
    rtt.putNull(field);
  }

  @Override
  public String toString() {
    return "Dashboard[" + transport.id() + ", " + registry.active() + " active]";
  }
}
