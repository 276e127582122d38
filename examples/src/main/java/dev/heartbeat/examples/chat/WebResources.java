package dev.heartbeat.examples.chat;

import dev.heartbeat.examples.server.HttpRoutes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The chat's pages, from the class path: {@code /} is {@code <root>/chat.html},
 * {@code /dashboard} is {@code <root>/dashboard.html}, and {@code /<name>} is
 * {@code <root>/<name>} when such a resource exists with a known extension. Only names of
 * letters, digits, {@code . _ -} (not starting with a dot) and {@code /} between them are
 * looked up: no {@code ..}, no escapes, so nothing outside the root can be reached.
 */
final class WebResources {

  private static final Pattern SAFE_PATH = Pattern.compile("(?:[A-Za-z0-9_-][A-Za-z0-9._-]*/)*[A-Za-z0-9_-][A-Za-z0-9._-]*");

  private static final Map<String, String> CONTENT_TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "svg", "image/svg+xml",
      "png", "image/png",
      "json", "application/json; charset=utf-8",
      "ico", "image/x-icon");

  private final String root;
  private final Map<String, Optional<HttpRoutes.Body>> cache = new ConcurrentHashMap<>();

  /** Pages under class path folder {@code root}, such as {@code web}. */
  WebResources(String root) {
    this.root = root;
  }

  /** The page at {@code path}, or empty (404). */
  Optional<HttpRoutes.Body> reply(String path) {
    String name = switch (path) {
      case "/" -> "chat.html";
      case "/dashboard" -> "dashboard.html";
      default -> path.substring(1);
    };
    if (!SAFE_PATH.matcher(name).matches()) {
      return Optional.empty();
    }
    int dot = name.lastIndexOf('.');
    String type = dot < 0 ? null : CONTENT_TYPES.get(name.substring(dot + 1));
    if (type == null) {
      return Optional.empty();
    }
    Optional<HttpRoutes.Body> cached = cache.get(name);
    if (cached != null) {
      return cached;
    }
    Optional<HttpRoutes.Body> loaded = load(name, type);
    if (loaded.isPresent()) {
      cache.put(name, loaded); // only what exists: made-up names must not fill the cache
    }
    return loaded;
  }

  private Optional<HttpRoutes.Body> load(String name, String type) {
    try (InputStream in = WebResources.class.getClassLoader().getResourceAsStream(root + "/" + name)) {
      return in == null ? Optional.empty() : Optional.of(new HttpRoutes.Body(200, type, in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
