package dev.heartbeat.transport;

import java.net.URI;
import java.net.URISyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * Parses the request URIs of a server's handshakes, and hands out the last one again when the
 * next handshake asks for the same: usually every client of an endpoint does, and a parsed
 * {@link URI} with its parts is about 350 bytes kept for the life of every connection (in its
 * {@link HandshakeInfo}). A URI is immutable, so sharing it is safe; one remembered is enough for
 * the common case and grows nothing when every client's URI differs (a token in the query).
 */
public final class RequestUris {

  private volatile @Nullable URI last;

  /** {@code new URI(text)}, or the last URI this returned when its text is the same. */
  public URI parse(String text) throws URISyntaxException {
    URI previous = last;
    if (previous != null && previous.toString().equals(text)) {
      return previous;
    }
    URI uri = new URI(text);
    last = uri;
    return uri;
  }
}
