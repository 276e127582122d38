package dev.heartbeat.benchmarks.baseline;

import java.time.Duration;
import java.util.Map;

/**
 * The demo server's environment contract, read the same way by every baseline: {@code PORT}
 * (default 8080), {@code HB_INTERVAL_MS} (1000), {@code HB_TIMEOUT_MS} (3000) and
 * {@code HB_FORMAT}, which must be {@code ping-frame} (the default): the baselines are written
 * the way users write them, with protocol pings only.
 */
public record ServerConfig(int port, Duration interval, Duration timeout) {

  /** The environment variable names, as the demo server reads them. */
  public static final String PORT = "PORT";
  public static final String INTERVAL = "HB_INTERVAL_MS";
  public static final String TIMEOUT = "HB_TIMEOUT_MS";
  public static final String FORMAT = "HB_FORMAT";

  /** The largest message the baselines accept, as the library's default. */
  public static final int MAX_MESSAGE_BYTES = 65_536;

  public ServerConfig {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(PORT + ": must be in 0-65535, got " + port);
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException(INTERVAL + ": must be positive, got " + interval.toMillis());
    }
    if (timeout.compareTo(interval) <= 0) {
      throw new IllegalArgumentException(TIMEOUT + ": must be greater than " + INTERVAL + " (" + interval.toMillis()
          + "), got " + timeout.toMillis());
    }
  }

  /** The configuration in {@code env}, with the demo server's defaults. */
  public static ServerConfig fromEnv(Map<String, String> env) {
    String format = env.getOrDefault(FORMAT, "ping-frame");
    if (!format.equals("ping-frame")) {
      throw new IllegalArgumentException(FORMAT + ": the baselines speak ping-frame only, got " + format);
    }
    return new ServerConfig(
        number(env, PORT, 8080),
        Duration.ofMillis(number(env, INTERVAL, 1000)),
        Duration.ofMillis(number(env, TIMEOUT, 3000)));
  }

  private static int number(Map<String, String> env, String name, int fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": not a whole number: " + value, e);
    }
  }
}
