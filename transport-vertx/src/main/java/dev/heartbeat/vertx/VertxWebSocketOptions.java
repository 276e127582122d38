package dev.heartbeat.vertx;

import dev.heartbeat.internal.Validate;
import dev.heartbeat.transport.HandshakeCheck;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocketClientOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Vert.x specific settings of a WebSocket endpoint, immutable. Build one with
 * {@link #builder()}; every setter returns a new builder and rejects a bad value at once,
 * naming the field.
 *
 * <p>By default:
 * <ul>
 *   <li>{@code maxFrameSize} 65,536 bytes: a larger inbound frame closes the connection with
 *       1009; outbound messages are fragmented into frames of this size.</li>
 *   <li>{@code maxMessageSize} 262,144 bytes: a larger inbound message (the sum of its frames)
 *       closes the connection with 1009.</li>
 *   <li>{@code path} {@code "/ws"}: the path a standalone server upgrades; other paths are
 *       refused with 404 (server only).</li>
 *   <li>{@code subprotocols} none: offered by a client, supported by a server (the first of the
 *       client's that the server supports is chosen).</li>
 *   <li>{@code headers} none: extra handshake request headers (client only).</li>
 *   <li>{@code connectTimeout} 10 s: the most a connect and its handshake may take (client
 *       only); past it {@code connect()} fails with {@link dev.heartbeat.ConnectTimeoutException}.</li>
 *   <li>{@code closeTimeout} 1 s: after a close frame was sent or received, how long the peer
 *       has to finish the closing handshake before the TCP connection is dropped.</li>
 *   <li>{@code maxConnections} 50: open WebSockets per server address of one client (Vert.x's
 *       pool); a connect beyond it waits for a slot (client only).</li>
 *   <li>{@code handshakeCheck} {@link HandshakeCheck#acceptAll()}: accepts or rejects a
 *       handshake before the upgrade, answering a rejection with its HTTP status (server only).</li>
 *   <li>{@code compress} false: per-message deflate (RFC 7692) offered by a client and
 *       accepted by a server. Off unless asked for, unlike Vert.x's own server default, because
 *       Vert.x inflates a compressed frame whole before any size limit applies: a few kilobytes
 *       from a hostile peer can become gigabytes. Turn it on only for peers you trust.</li>
 * </ul>
 *
 * <pre>{@code
 * VertxWebSocketOptions options = VertxWebSocketOptions.builder()
 *     .path("/chat")
 *     .subprotocols(List.of("chat.v1"))
 *     .handshakeCheck(HandshakeCheck.bearerToken(tokens::verify))
 *     .build();
 * }</pre>
 */
public final class VertxWebSocketOptions {

  private static final VertxWebSocketOptions DEFAULTS = new Builder().build();

  private final int maxFrameSize;
  private final int maxMessageSize;
  private final String path;
  private final List<String> subprotocols;
  private final Map<String, List<String>> headers;
  private final Duration connectTimeout;
  private final Duration closeTimeout;
  private final int maxConnections;
  private final HandshakeCheck handshakeCheck;
  private final boolean compress;

  private VertxWebSocketOptions(Builder b) {
    this.maxFrameSize = b.maxFrameSize;
    this.maxMessageSize = b.maxMessageSize;
    this.path = b.path;
    this.subprotocols = b.subprotocols; // immutable: made by the builder's checks
    this.headers = b.headers;
    this.connectTimeout = b.connectTimeout;
    this.closeTimeout = b.closeTimeout;
    this.maxConnections = b.maxConnections;
    this.handshakeCheck = b.handshakeCheck;
    this.compress = b.compress;
  }

  /** The defaults listed above. */
  public static VertxWebSocketOptions defaults() {
    return DEFAULTS;
  }

  /** A builder with the defaults listed above. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxFrameSize = maxFrameSize;
    b.maxMessageSize = maxMessageSize;
    b.path = path;
    b.subprotocols = subprotocols;
    b.headers = headers;
    b.connectTimeout = connectTimeout;
    b.closeTimeout = closeTimeout;
    b.maxConnections = maxConnections;
    b.handshakeCheck = handshakeCheck;
    b.compress = compress;
    return b;
  }

  /** Largest inbound frame, in bytes, and the size outbound messages are fragmented into. */
  public int maxFrameSize() {
    return maxFrameSize;
  }

  /** Largest inbound message (all its frames together), in bytes. */
  public int maxMessageSize() {
    return maxMessageSize;
  }

  /** The path a standalone server upgrades. */
  public String path() {
    return path;
  }

  /** Subprotocols a client offers or a server supports, in order of preference. */
  public List<String> subprotocols() {
    return subprotocols;
  }

  /** Extra handshake request headers a client sends. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** The most a client's connect and handshake may take. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** How long the closing handshake may take before the TCP connection is dropped. */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  /** Open WebSockets per server address of one client. */
  public int maxConnections() {
    return maxConnections;
  }

  /** Accepts or rejects a handshake before the upgrade (server). */
  public HandshakeCheck handshakeCheck() {
    return handshakeCheck;
  }

  /** Whether per-message deflate is offered (client) and accepted (server). */
  public boolean compress() {
    return compress;
  }

  /**
   * Copies the frame and message limits, the subprotocols and the closing timeout into
   * {@code server}, for mounting on your own {@code HttpServer}; returns {@code server}.
   *
   * <pre>{@code
   * HttpServer server = vertx.createHttpServer(options.applyTo(new HttpServerOptions().setPort(8080)));
   * }</pre>
   */
  public HttpServerOptions applyTo(HttpServerOptions server) {
    Objects.requireNonNull(server, "server");
    server.setMaxWebSocketFrameSize(maxFrameSize)
        .setMaxWebSocketMessageSize(maxMessageSize)
        .setWebSocketClosingTimeout(closingTimeoutSeconds())
        .setPerMessageWebSocketCompressionSupported(compress)
        .setPerFrameWebSocketCompressionSupported(compress);
    if (!subprotocols.isEmpty()) {
      server.setWebSocketSubProtocols(subprotocols);
    }
    return server;
  }

  /** The Vert.x client options these settings give. */
  WebSocketClientOptions toClientOptions() {
    return new WebSocketClientOptions()
        .setMaxFrameSize(maxFrameSize)
        .setMaxMessageSize(maxMessageSize)
        .setMaxConnections(maxConnections)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
        .setClosingTimeout(closingTimeoutSeconds())
        .setTryUsePerMessageCompression(compress)
        .setTryUsePerFrameCompression(compress);
  }

  /** Vert.x's own closing timeout counts whole seconds: a fallback behind the adapter's timer. */
  private int closingTimeoutSeconds() {
    long millis = closeTimeout.toMillis();
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, (millis + 999) / 1000));
  }

  @Override
  public String toString() {
    return "VertxWebSocketOptions[maxFrameSize=" + maxFrameSize + ", maxMessageSize=" + maxMessageSize
        + ", path=" + path + ", subprotocols=" + subprotocols + ", headers=" + headers.keySet()
        + ", connectTimeout=" + connectTimeout + ", closeTimeout=" + closeTimeout
        + ", maxConnections=" + maxConnections + ", compress=" + compress + "]";
  }

  /**
   * An immutable builder of {@link VertxWebSocketOptions}: every setter returns a new builder
   * and rejects a bad value at once, naming the field. Defaults as listed on
   * {@link VertxWebSocketOptions}.
   */
  public static final class Builder {
    private int maxFrameSize = 65_536;
    private int maxMessageSize = 262_144;
    private String path = "/ws";
    private List<String> subprotocols = List.of();
    private Map<String, List<String>> headers = Map.of();
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration closeTimeout = Duration.ofSeconds(1);
    private int maxConnections = 50;
    private HandshakeCheck handshakeCheck = HandshakeCheck.acceptAll();
    private boolean compress;

    private Builder() {}

    private Builder copy() {
      Builder b = new Builder();
      b.maxFrameSize = maxFrameSize;
      b.maxMessageSize = maxMessageSize;
      b.path = path;
      b.subprotocols = subprotocols;
      b.headers = headers;
      b.connectTimeout = connectTimeout;
      b.closeTimeout = closeTimeout;
      b.maxConnections = maxConnections;
      b.handshakeCheck = handshakeCheck;
      b.compress = compress;
      return b;
    }

    /**
     * Largest inbound frame in bytes, at least 125 (a control frame must fit); by default 65,536.
     */
    public Builder maxFrameSize(int maxFrameSize) {
      if (maxFrameSize < 125) {
        throw new IllegalArgumentException("maxFrameSize: must be at least 125 bytes, got " + maxFrameSize);
      }
      Builder b = copy();
      b.maxFrameSize = maxFrameSize;
      return b;
    }

    /**
     * Largest inbound message in bytes, at least 125 and not below {@code maxFrameSize} (checked
     * by {@link #build()}); by default 262,144.
     */
    public Builder maxMessageSize(int maxMessageSize) {
      if (maxMessageSize < 125) {
        throw new IllegalArgumentException("maxMessageSize: must be at least 125 bytes, got " + maxMessageSize);
      }
      Builder b = copy();
      b.maxMessageSize = maxMessageSize;
      return b;
    }

    /** The path a standalone server upgrades: starts with {@code /}, no query; by default {@code /ws}. */
    public Builder path(String path) {
      Builder b = copy();
      b.path = Validate.path(path);
      return b;
    }

    /** Subprotocols offered (client) or supported (server), in order: HTTP tokens, none twice; by default none. */
    public Builder subprotocols(List<String> subprotocols) {
      Builder b = copy();
      b.subprotocols = Validate.subprotocols(subprotocols);
      return b;
    }

    /**
     * Adds a handshake request header a client sends (values of one name, in any case, add up);
     * the handshake's own headers ({@code Upgrade}, {@code Connection}, {@code Host},
     * {@code Sec-WebSocket-*}) are refused. By default none.
     */
    public Builder header(String name, String value) {
      Builder b = copy();
      b.headers = Validate.withHeader(headers, name, value);
      return b;
    }

    /** The most a client's connect and handshake may take, positive; by default 10 s. */
    public Builder connectTimeout(Duration connectTimeout) {
      Builder b = copy();
      b.connectTimeout = Validate.positive(connectTimeout, "connectTimeout");
      return b;
    }

    /**
     * How long the peer has to finish the closing handshake before the TCP connection is
     * dropped, positive; by default 1 s.
     */
    public Builder closeTimeout(Duration closeTimeout) {
      Builder b = copy();
      b.closeTimeout = Validate.positive(closeTimeout, "closeTimeout");
      return b;
    }

    /** Open WebSockets per server address of one client, at least 1; by default 50. */
    public Builder maxConnections(int maxConnections) {
      if (maxConnections < 1) {
        throw new IllegalArgumentException("maxConnections: must be at least 1, got " + maxConnections);
      }
      Builder b = copy();
      b.maxConnections = maxConnections;
      return b;
    }

    /**
     * Accepts or rejects handshakes before the upgrade (server); by default
     * {@link HandshakeCheck#acceptAll()}.
     */
    public Builder handshakeCheck(HandshakeCheck handshakeCheck) {
      Builder b = copy();
      b.handshakeCheck = Objects.requireNonNull(handshakeCheck, "handshakeCheck");
      return b;
    }

    /**
     * Offer (client) and accept (server) per-message deflate; by default off, since Vert.x
     * inflates a compressed frame with no limit before {@code maxFrameSize} applies.
     */
    public Builder compress(boolean compress) {
      Builder b = copy();
      b.compress = compress;
      return b;
    }

    /**
     * The options.
     *
     * @throws IllegalArgumentException naming {@code maxMessageSize} when it is below
     *     {@code maxFrameSize}
     */
    public VertxWebSocketOptions build() {
      if (maxMessageSize < maxFrameSize) {
        throw new IllegalArgumentException("maxMessageSize: must not be below maxFrameSize (" + maxFrameSize
            + "), got " + maxMessageSize);
      }
      return new VertxWebSocketOptions(this);
    }
  }
}
