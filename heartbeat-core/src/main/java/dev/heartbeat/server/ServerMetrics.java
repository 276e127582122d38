package dev.heartbeat.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Micrometer meters for a {@link ConnectionRegistry}. Micrometer is an optional dependency of
 * the core: only this class needs it. Every meter carries a {@code transport} tag (the
 * registry's {@link ConnectionRegistry.Builder#transportTag(String) transport tag}).
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>Name</th><th>Type</th><th>Tags</th><th>What</th></tr>
 *   <tr><td>{@code heartbeat.connections.active}</td><td>gauge</td><td></td><td>connections open now</td></tr>
 *   <tr><td>{@code heartbeat.connections.opened}</td><td>counter</td><td></td><td>connections accepted</td></tr>
 *   <tr><td>{@code heartbeat.connections.closed}</td><td>counter</td><td>{@code cause}: normal,
 *       heartbeat-timeout, superseded, policy, too-big, shutdown, error</td><td>connections closed</td></tr>
 *   <tr><td>{@code heartbeat.rtt}</td><td>timer, percentile histogram</td><td></td><td>heartbeat round trips</td></tr>
 *   <tr><td>{@code heartbeat.heartbeats.sent}</td><td>counter</td><td></td><td>heartbeats this server sent</td></tr>
 *   <tr><td>{@code heartbeat.heartbeats.answered}</td><td>counter</td><td></td><td>answers received</td></tr>
 *   <tr><td>{@code heartbeat.heartbeats.missed}</td><td>counter</td><td></td><td>missed heartbeats observed</td></tr>
 *   <tr><td>{@code heartbeat.messages.dropped}</td><td>counter</td><td></td><td>pushed messages dropped at a full buffer</td></tr>
 *   <tr><td>{@code heartbeat.decode.errors}</td><td>counter</td><td></td><td>decode errors recorded</td></tr>
 * </table>
 *
 * <pre>{@code
 * ServerMetrics.bind(registry, meterRegistry);
 * }</pre>
 */
public final class ServerMetrics {

  private ServerMetrics() {}

  /** Registers the meters of {@code registry} in {@code meters}; counts from now on. */
  public static void bind(ConnectionRegistry registry, MeterRegistry meters) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(meters, "meters");
    String transport = registry.transportTag();
    Gauge.builder("heartbeat.connections.active", registry, ConnectionRegistry::active)
        .description("WebSocket connections open now").tag("transport", transport).register(meters);
    Counter opened = counter(meters, "heartbeat.connections.opened", "WebSocket connections accepted", transport);
    Map<CloseCause, Counter> closed = new EnumMap<>(CloseCause.class);
    for (CloseCause cause : CloseCause.values()) {
      closed.put(cause, Counter.builder("heartbeat.connections.closed").description("WebSocket connections closed, by cause")
          .tag("transport", transport).tag("cause", cause.tag()).register(meters));
    }
    Timer rtt = Timer.builder("heartbeat.rtt").description("Heartbeat round-trip time")
        .tag("transport", transport).publishPercentileHistogram().register(meters);
    Counter sent = counter(meters, "heartbeat.heartbeats.sent", "Heartbeats sent", transport);
    Counter answered = counter(meters, "heartbeat.heartbeats.answered", "Heartbeat answers received", transport);
    Counter missed = counter(meters, "heartbeat.heartbeats.missed", "Missed heartbeats observed", transport);
    Counter dropped = counter(meters, "heartbeat.messages.dropped", "Pushed messages dropped at a full buffer", transport);
    Counter decode = counter(meters, "heartbeat.decode.errors", "Messages that could not be decoded", transport);
    registry.addListener(new ConnectionRegistry.Listener() {
      @Override
      public void opened() {
        opened.increment();
      }

      @Override
      public void closed(CloseCause cause) {
        closed.get(cause).increment();
      }

      @Override
      public void heartbeatSent() {
        sent.increment();
      }

      @Override
      public void answered(java.time.Duration roundTrip) {
        answered.increment();
        rtt.record(roundTrip);
      }

      @Override
      public void missed() {
        missed.increment();
      }

      @Override
      public void dropped() {
        dropped.increment();
      }

      @Override
      public void decodeError() {
        decode.increment();
      }
    });
  }

  private static Counter counter(MeterRegistry meters, String name, String description, String transport) {
    return Counter.builder(name).description(description).tag("transport", transport).register(meters);
  }
}
