package dev.heartbeat.examples;

import dev.heartbeat.codec.HeartbeatCodec;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Reads the demos' settings from text (environment variables, command-line arguments): each
 * reader names the setting in its error, so a bad value fails at start with a message that says
 * which one.
 */
public final class Settings {

  /** The heartbeat formats a demo can be told to use, by {@link HeartbeatCodec#name()}. */
  public static final List<HeartbeatCodec> FORMATS = List.of(
      HeartbeatCodec.pingFrames(),      // ping-frame: RFC 6455 ping and pong control frames
      HeartbeatCodec.textPingPong(),    // text: "ping" answered by "pong"
      HeartbeatCodec.heartbeatText(),   // heartbeat-text: "HeartBeat", no answer
      HeartbeatCodec.json());           // json: {"type":"heartbeat"} answered by {"type":"heartbeat_ack"}

  private Settings() {}

  /** {@code value} read with {@code parse}; an error names {@code setting}. */
  public static <T> T read(String setting, String value, Function<String, T> parse) {
    try {
      return parse.apply(value);
    } catch (RuntimeException invalid) {
      throw new IllegalArgumentException(setting + ": " + invalid.getMessage(), invalid);
    }
  }

  /** A transport name: {@code netty} or {@code vertx}. */
  public static TransportName transport(String setting, String value) {
    return read(setting, value, TransportName::of);
  }

  /** A heartbeat format by name: {@code ping-frame}, {@code text}, {@code heartbeat-text} or {@code json}. */
  public static HeartbeatCodec format(String setting, String value) {
    return read(setting, value, name -> FORMATS.stream()
        .filter(codec -> codec.name().equals(name.trim()))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("must be one of "
            + FORMATS.stream().map(HeartbeatCodec::name).toList() + ", got '" + name + "'")));
  }

  /** A TCP port, 0 for any free one. */
  public static int port(String setting, String value) {
    return read(setting, value, text -> {
      int port = integer(text);
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("must be a port in 0-65535, got " + port);
      }
      return port;
    });
  }

  /** A positive number of milliseconds. */
  public static Duration millis(String setting, String value) {
    return read(setting, value, text -> {
      int millis = integer(text);
      if (millis <= 0) {
        throw new IllegalArgumentException("must be a positive number of milliseconds, got " + millis);
      }
      return Duration.ofMillis(millis);
    });
  }

  /** A positive count. */
  public static int positive(String setting, String value) {
    return read(setting, value, text -> {
      int n = integer(text);
      if (n <= 0) {
        throw new IllegalArgumentException("must be a positive number, got " + n);
      }
      return n;
    });
  }

  private static int integer(String text) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a whole number: '" + text + "'");
    }
  }
}
