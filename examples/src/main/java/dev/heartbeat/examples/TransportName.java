package dev.heartbeat.examples;

import java.util.Locale;
import java.util.Objects;

/**
 * The transports the demos run on, by the name used on command lines and in environment
 * variables. Moving from one to the other changes the one line that creates the endpoint.
 */
public enum TransportName {
  /** Reactor Netty ({@code transport-reactor-netty}). */
  NETTY,
  /** Vert.x core ({@code transport-vertx}). */
  VERTX;

  /**
   * The transport called {@code name} ({@code netty} or {@code vertx}, any case).
   *
   * @throws IllegalArgumentException when there is none of that name
   */
  public static TransportName of(String name) {
    Objects.requireNonNull(name, "name");
    for (TransportName transport : values()) {
      if (transport.id().equalsIgnoreCase(name.trim())) {
        return transport;
      }
    }
    throw new IllegalArgumentException("must be netty or vertx, got '" + name + "'");
  }

  /** The name: {@code netty} or {@code vertx}; also the {@code transport} tag of the metrics. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
