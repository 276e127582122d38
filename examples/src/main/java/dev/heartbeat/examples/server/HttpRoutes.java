package dev.heartbeat.examples.server;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A tiny, immutable table of GET routes served next to a WebSocket endpoint: fixed bytes, text
 * computed per request (JSON figures), and server-sent event streams; any other path goes to a
 * fallback (static files), else 404. Transport-neutral: {@link DemoEndpoints} serves it on
 * Reactor Netty or Vert.x.
 *
 * <pre>{@code
 * HttpRoutes routes = HttpRoutes.create()
 *     .text("/stats", HttpRoutes.JSON, () -> ServerStats.json(registry, transport))
 *     .events("/events", () -> Flux.interval(Duration.ofSeconds(1)).map(String::valueOf));
 * }</pre>
 */
public final class HttpRoutes {

  /** The content type of JSON replies. */
  public static final String JSON = "application/json; charset=utf-8";
  /** The content type of plain text replies. */
  public static final String TEXT = "text/plain; charset=utf-8";
  /** The content type of server-sent event streams. */
  public static final String EVENT_STREAM = "text/event-stream; charset=utf-8";

  /** What a request gets. */
  public sealed interface Reply permits Body, Events {}

  /** A complete response. */
  public record Body(int status, String contentType, byte[] bytes) implements Reply {
    public Body {
      Objects.requireNonNull(contentType, "contentType");
      Objects.requireNonNull(bytes, "bytes");
    }

    /** A plain text response. */
    public static Body text(int status, String text) {
      return new Body(status, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** A server-sent event stream: each element is the data of one event. */
  public record Events(Flux<String> data) implements Reply {
    public Events {
      Objects.requireNonNull(data, "data");
    }

    /**
     * The stream as written: a comment first, so that the headers go out and a browser's
     * {@code EventSource} opens at once, then {@code data: ...} and a blank line per event.
     */
    public Flux<String> wire() {
      return Flux.concat(Mono.just(": stream open\n\n"), data.map(Events::event));
    }

    private static String event(String data) {
      // Each line of the data is a data: line of its own (the SSE format splits on newlines).
      return "data: " + data.replace("\r", "").replace("\n", "\ndata: ") + "\n\n";
    }
  }

  private static final Body NOT_FOUND = Body.text(404, "not found\n");
  private static final Body NOT_ALLOWED = Body.text(405, "only GET is served here\n");

  private final Map<String, Supplier<? extends Reply>> routes;
  private final Function<String, Optional<? extends Reply>> otherwise;

  private HttpRoutes(Map<String, Supplier<? extends Reply>> routes, Function<String, Optional<? extends Reply>> otherwise) {
    this.routes = routes;
    this.otherwise = otherwise;
  }

  /** No routes: every path answers 404. */
  public static HttpRoutes create() {
    return new HttpRoutes(Map.of(), path -> Optional.empty());
  }

  /** These routes and {@code GET path} answering {@code body} as {@code contentType}. */
  public HttpRoutes bytes(String path, String contentType, byte[] body) {
    Body reply = new Body(200, contentType, body.clone());
    return with(path, () -> reply);
  }

  /** These routes and {@code GET path} answering the text {@code body} computes per request. */
  public HttpRoutes text(String path, String contentType, Supplier<String> body) {
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(body, "body");
    return with(path, () -> new Body(200, contentType, body.get().getBytes(StandardCharsets.UTF_8)));
  }

  /** These routes and {@code GET path} streaming the events {@code events} makes per request. */
  public HttpRoutes events(String path, Supplier<Flux<String>> events) {
    Objects.requireNonNull(events, "events");
    return with(path, () -> new Events(events.get()));
  }

  /** These routes, with {@code fallback} answering the paths they do not have (empty: 404). */
  public HttpRoutes otherwise(Function<String, Optional<? extends Reply>> fallback) {
    return new HttpRoutes(routes, Objects.requireNonNull(fallback, "fallback"));
  }

  /**
   * The reply to a request: 405 for a method other than GET, the route of the path (the raw
   * path, query and fragment cut off), the fallback's, else 404; 500 when computing it failed.
   */
  public Reply resolve(String method, String uri) {
    if (!"GET".equals(method)) {
      return NOT_ALLOWED;
    }
    String path = pathOf(uri);
    try {
      Supplier<? extends Reply> route = routes.get(path);
      if (route != null) {
        return route.get();
      }
      return otherwise.apply(path).map(reply -> (Reply) reply).orElse(NOT_FOUND);
    } catch (RuntimeException failed) {
      return Body.text(500, "failed: " + failed + "\n");
    }
  }

  private HttpRoutes with(String path, Supplier<? extends Reply> reply) {
    Objects.requireNonNull(path, "path");
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path: must start with /, got '" + path + "'");
    }
    Map<String, Supplier<? extends Reply>> next = new LinkedHashMap<>(routes);
    next.put(path, reply);
    return new HttpRoutes(Map.copyOf(next), otherwise);
  }

  private static String pathOf(String uri) {
    int end = uri.length();
    int query = uri.indexOf('?');
    if (query >= 0) {
      end = query;
    }
    int fragment = uri.indexOf('#');
    if (fragment >= 0 && fragment < end) {
      end = fragment;
    }
    String path = uri.substring(0, end);
    return path.isEmpty() ? "/" : path;
  }
}
