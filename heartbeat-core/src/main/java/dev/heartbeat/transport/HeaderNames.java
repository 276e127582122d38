package dev.heartbeat.transport;

import java.util.Locale;
import java.util.TreeMap;

/**
 * Lower-cased header names, the usual ones shared: a server keeps the names of every
 * connection's handshake headers, and a lower-cased copy of each is about 50 bytes, eight or
 * so a connection. Names outside the table are lower-cased as they come, so a peer sending
 * made-up names cannot grow anything shared.
 */
final class HeaderNames {

  /**
   * Looked up in any ASCII case, without making a lower-cased copy first; read-only once built.
   * Only A-Z fold: {@code String.CASE_INSENSITIVE_ORDER} would also match a name spelled with,
   * say, U+017F (long s), which {@code toLowerCase} keeps.
   */
  private static final TreeMap<CharSequence, String> KNOWN = new TreeMap<>(HeaderNames::compareAsciiIgnoringCase);

  static {
    for (String name : new String[] {
        "accept", "accept-encoding", "accept-language", "authorization", "cache-control", "connection",
        "content-length", "content-type", "cookie", "forwarded", "host", "origin", "pragma", "referer",
        "sec-websocket-extensions", "sec-websocket-key", "sec-websocket-protocol", "sec-websocket-version",
        "upgrade", "user-agent", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-real-ip",
        "x-request-id"}) {
      KNOWN.put(name, name);
    }
  }

  private HeaderNames() {}

  private static int compareAsciiIgnoringCase(CharSequence a, CharSequence b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      int d = foldAscii(a.charAt(i)) - foldAscii(b.charAt(i));
      if (d != 0) {
        return d;
      }
    }
    return a.length() - b.length();
  }

  private static char foldAscii(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
  }

  /** {@code name} in lower case: a shared instance for a usual name. */
  static String lowerCase(CharSequence name) {
    String known = KNOWN.get(name);
    if (known != null) {
      return known;
    }
    if (name instanceof String string) {
      return string.toLowerCase(Locale.ROOT); // itself when already lower case
    }
    // Copied through a builder: toString() would make a caching name (AsciiString) keep a copy.
    return new StringBuilder(name).toString().toLowerCase(Locale.ROOT);
  }
}
