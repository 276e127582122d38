package dev.heartbeat.netty;

import dev.heartbeat.internal.Validate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Reactor Netty specific settings of a WebSocket endpoint, client or server. Immutable;
 * built with {@link #builder()}, whose every setter returns a new builder and rejects a bad value
 * at once, naming the field.
 *
 * <p>Defaults ({@link #defaults()}):
 * <ul>
 *   <li>{@code path} {@code "/ws"}: where a server mounts its endpoint (a client ignores it and
 *       connects to its URI);</li>
 *   <li>{@code maxFramePayloadLength} 65,536 bytes: the largest frame, and the largest message
 *       once continuation frames are put together, that this side accepts; a larger one closes
 *       the connection with {@code 1009 message too big};</li>
 *   <li>{@code subprotocols} none: a server selects the first subprotocol a client offers that
 *       is in this list, and refuses the upgrade (HTTP 400) to a client that offers none of them;
 *       a client offers this list;</li>
 *   <li>{@code headers} none: extra headers a client sends with its opening handshake;</li>
 *   <li>{@code connectTimeout} 10 s: how long a client's TCP connect plus opening handshake may
 *       take before {@code connect()} errors with {@link dev.heartbeat.ConnectTimeoutException};</li>
 *   <li>{@code handshakeTimeout} 10 s: how long a server waits for the HTTP request of an
 *       accepted connection before closing it (Reactor Netty's {@code idleTimeout});</li>
 *   <li>{@code closeTimeout} 5 s: how long a close frame may wait to be written before the
 *       connection is dropped without it (a peer that stopped reading never lets it through);</li>
 *   <li>{@code compress} false: per-message deflate (RFC 7692) offered by a client and
 *       accepted by a server.</li>
 * </ul>
 *
 * <p>Pings are always handed to the connection's {@code receive()} and not answered by Reactor
 * Netty, so that the heartbeat operator sees them and answers them.
 *
 * <pre>{@code
 * NettyWebSocketSpec spec = NettyWebSocketSpec.builder()
 *     .path("/live")
 *     .subprotocols("chat.v2", "chat.v1")
 *     .maxFramePayloadLength(1 << 20)
 *     .build();
 * }</pre>
 */
public final class NettyWebSocketSpec {

  private static final NettyWebSocketSpec DEFAULTS = new Builder().build();

  private final String path;
  private final int maxFramePayloadLength;
  private final List<String> subprotocols;
  private final Map<String, List<String>> headers;
  private final Duration connectTimeout;
  private final Duration handshakeTimeout;
  private final Duration closeTimeout;
  private final boolean compress;

  private NettyWebSocketSpec(Builder b) {
    this.path = b.path;
    this.maxFramePayloadLength = b.maxFramePayloadLength;
    this.subprotocols = b.subprotocols; // immutable: made by the builder's checks
    this.headers = b.headers;
    this.connectTimeout = b.connectTimeout;
    this.handshakeTimeout = b.handshakeTimeout;
    this.closeTimeout = b.closeTimeout;
    this.compress = b.compress;
  }

  /** The spec with every default (listed on this class). */
  public static NettyWebSocketSpec defaults() {
    return DEFAULTS;
  }

  /** A builder holding the defaults listed on this class. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this spec's values, to derive a variant. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.path = path;
    b.maxFramePayloadLength = maxFramePayloadLength;
    b.subprotocols = subprotocols;
    b.headers = headers;
    b.connectTimeout = connectTimeout;
    b.handshakeTimeout = handshakeTimeout;
    b.closeTimeout = closeTimeout;
    b.compress = compress;
    return b;
  }

  /** Where a server mounts its endpoint. By default {@code "/ws"}. */
  public String path() {
    return path;
  }

  /** The largest frame or message accepted, in bytes. By default 65,536. */
  public int maxFramePayloadLength() {
    return maxFramePayloadLength;
  }

  /** The subprotocols offered (client) or accepted (server), in preference order. By default none. */
  public List<String> subprotocols() {
    return subprotocols;
  }

  /** Extra headers of a client's opening handshake, names as given. By default none. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** How long a client's connect and opening handshake may take. By default 10 s. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** How long a server waits for an accepted connection's request. By default 10 s. */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** How long a close frame may wait to be written before the connection is dropped. By default 5 s. */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  /** Whether per-message deflate is offered (client) or accepted (server). By default false. */
  public boolean compress() {
    return compress;
  }

  @Override
  public String toString() {
    return "NettyWebSocketSpec[path=" + path + ", maxFramePayloadLength=" + maxFramePayloadLength
        + ", subprotocols=" + subprotocols + ", headers=" + headers.keySet() + ", connectTimeout=" + connectTimeout
        + ", handshakeTimeout=" + handshakeTimeout + ", closeTimeout=" + closeTimeout + ", compress=" + compress + "]";
  }

  /**
   * An immutable builder: every setter returns a new builder and rejects a bad value at once
   * with an {@link IllegalArgumentException} (or {@link NullPointerException}) naming the field,
   * so a builder can be shared as a template. The defaults are listed on
   * {@link NettyWebSocketSpec}.
   */
  public static final class Builder {
    private String path = "/ws";
    private int maxFramePayloadLength = 65_536;
    private List<String> subprotocols = List.of();
    private Map<String, List<String>> headers = Map.of();
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration closeTimeout = Duration.ofSeconds(5);
    private boolean compress;

    private Builder() {}

    private Builder copy() {
      Builder b = new Builder();
      b.path = path;
      b.maxFramePayloadLength = maxFramePayloadLength;
      b.subprotocols = subprotocols;
      b.headers = headers;
      b.connectTimeout = connectTimeout;
      b.handshakeTimeout = handshakeTimeout;
      b.closeTimeout = closeTimeout;
      b.compress = compress;
      return b;
    }

    /**
     * Where a server mounts its endpoint: starts with {@code /}, no query. Reactor Netty's route
     * patterns ({@code /ws/{room}}) are allowed. By default {@code "/ws"}.
     */
    public Builder path(String path) {
      Builder b = copy();
      b.path = Validate.path(path);
      return b;
    }

    /**
     * The largest frame, and the largest message once its fragments are joined, that this side
     * accepts, in bytes; at least 125 (a control frame's payload). A larger one closes the
     * connection with 1009, and this side reports 1009. By default 65,536.
     */
    public Builder maxFramePayloadLength(int maxFramePayloadLength) {
      if (maxFramePayloadLength < 125) {
        throw new IllegalArgumentException(
            "maxFramePayloadLength: must be at least 125 bytes, got " + maxFramePayloadLength);
      }
      Builder b = copy();
      b.maxFramePayloadLength = maxFramePayloadLength;
      return b;
    }

    /**
     * The subprotocols, in preference order: a client offers them, a server selects the first
     * one offered that is listed here and refuses clients that offer none. Each an HTTP token,
     * no duplicates. No argument clears the list. By default none.
     */
    public Builder subprotocols(String... subprotocols) {
      Objects.requireNonNull(subprotocols, "subprotocols");
      Builder b = copy();
      b.subprotocols = Validate.subprotocols(Arrays.asList(subprotocols));
      return b;
    }

    /**
     * Adds a header that a client sends with its opening handshake; a second call with the same
     * name (in any case) adds another value. The handshake's own headers ({@code Upgrade}, {@code Connection},
     * {@code Sec-WebSocket-*}, {@code Host}) cannot be set here. By default none.
     */
    public Builder header(String name, String value) {
      Builder b = copy();
      b.headers = Validate.withHeader(headers, name, value);
      return b;
    }

    /**
     * How long a client's TCP connect plus opening handshake may take; {@code connect()} then
     * errors with {@link dev.heartbeat.ConnectTimeoutException} and the socket is closed.
     * Positive. By default 10 s.
     */
    public Builder connectTimeout(Duration connectTimeout) {
      Builder b = copy();
      b.connectTimeout = positive(connectTimeout, "connectTimeout");
      return b;
    }

    /**
     * How long a server waits for the HTTP request of a connection it accepted, before closing
     * it; it also bounds how long a plain HTTP keep-alive connection may wait for its next
     * request. Positive. By default 10 s.
     */
    public Builder handshakeTimeout(Duration handshakeTimeout) {
      Builder b = copy();
      b.handshakeTimeout = positive(handshakeTimeout, "handshakeTimeout");
      return b;
    }

    /**
     * How long a close frame may wait to be written: a peer that stopped reading (its TCP window
     * full) never lets it through, and the connection would stay open, holding its buffers. When
     * the time is up the connection is dropped without the frame, and this side still reports
     * the status it meant to send. Positive. By default 5 s.
     */
    public Builder closeTimeout(Duration closeTimeout) {
      Builder b = copy();
      b.closeTimeout = positive(closeTimeout, "closeTimeout");
      return b;
    }

    /** Whether per-message deflate is offered (client) or accepted (server). By default false. */
    public Builder compress(boolean compress) {
      Builder b = copy();
      b.compress = compress;
      return b;
    }

    /** The spec. */
    public NettyWebSocketSpec build() {
      return new NettyWebSocketSpec(this);
    }

    private static Duration positive(Duration value, String field) {
      Validate.positive(value, field);
      if (value.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException(field + ": must be at most a day, got " + value);
      }
      return value;
    }
  }
}
