package dev.heartbeat.transport;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A handshake's headers as {@link HandshakeInfo} keeps them: immutable, in the order they came,
 * in one array of names and values (a {@code String} for a header sent once, an immutable
 * {@code List} for one sent more often). A server keeps one per connection for the
 * connection's life: {@code Map.ofEntries} with a {@code List.of} per header took about 290
 * bytes for a browser's six headers, this about 90. Lookups scan: a handshake has a few dozen
 * headers at most, and they are read at the handshake, not per message.
 */
final class HeaderMap extends AbstractMap<String, List<String>> {

  /** Name, value, name, value...: each value a {@code String} or a {@code List<String>}. */
  private final Object[] pairs;

  /** {@code pairs} as described above, owned from now on. */
  HeaderMap(Object[] pairs) {
    this.pairs = pairs;
  }

  @Override
  public int size() {
    return pairs.length / 2;
  }

  @Override
  public boolean containsKey(@Nullable Object name) {
    return indexOf(name) >= 0;
  }

  @Override
  public @Nullable List<String> get(@Nullable Object name) {
    int at = indexOf(name);
    return at < 0 ? null : valuesAt(at);
  }

  private int indexOf(@Nullable Object name) {
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  @SuppressWarnings("unchecked")
  private List<String> valuesAt(int at) {
    Object values = pairs[at + 1];
    return values instanceof String one ? List.of(one) : (List<String>) values;
  }

  @Override
  public Set<Entry<String, List<String>>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return pairs.length / 2;
      }

      @Override
      public Iterator<Entry<String, List<String>>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < pairs.length;
          }

          @Override
          public Entry<String, List<String>> next() {
            if (next >= pairs.length) {
              throw new NoSuchElementException();
            }
            Entry<String, List<String>> entry = Map.entry((String) pairs[next], valuesAt(next));
            next += 2;
            return entry;
          }
        };
      }
    };
  }
}
