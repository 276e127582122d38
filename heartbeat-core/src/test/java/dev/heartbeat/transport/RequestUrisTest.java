package dev.heartbeat.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.net.URISyntaxException;
import org.junit.jupiter.api.Test;

class RequestUrisTest {

  @Test
  void theSameRequestUriIsParsedOnceAndADifferentOneAfresh() throws URISyntaxException {
    RequestUris uris = new RequestUris();
    URI first = uris.parse("ws://127.0.0.1:8080/ws");

    assertSame(first, uris.parse("ws://127.0.0.1:8080/ws"), "the next client of the endpoint shares it");
    URI other = uris.parse("ws://127.0.0.1:8080/ws?token=a");
    assertEquals(URI.create("ws://127.0.0.1:8080/ws?token=a"), other);
    assertNotSame(first, uris.parse("ws://127.0.0.1:8080/ws"), "only the last one is remembered");
  }

  @Test
  void aMalformedUriIsRefusedAndNotRemembered() throws URISyntaxException {
    RequestUris uris = new RequestUris();
    URI good = uris.parse("ws://h/ws");

    assertThrows(URISyntaxException.class, () -> uris.parse("ws://h/a b"));
    assertSame(good, uris.parse("ws://h/ws"));
  }
}
