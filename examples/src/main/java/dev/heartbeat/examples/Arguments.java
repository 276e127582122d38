package dev.heartbeat.examples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Command-line arguments of the form {@code --name value} and {@code --flag}, checked against
 * the names a program knows: an unknown name or a missing value is an error that names it.
 *
 * <pre>{@code
 * Arguments args = Arguments.parse(argv, Set.of("--port", "--transport"), Set.of("--help"));
 * int port = args.last("--port").map(v -> Settings.port("--port", v)).orElse(8080);
 * }</pre>
 */
public final class Arguments {

  private final Map<String, List<String>> values;

  private Arguments(Map<String, List<String>> values) {
    this.values = values;
  }

  /**
   * Reads {@code args}.
   *
   * @param withValue the names followed by a value; each may repeat
   * @param flags the names that stand alone
   * @throws IllegalArgumentException naming an unknown argument or one without its value
   */
  public static Arguments parse(List<String> args, Set<String> withValue, Set<String> flags) {
    Objects.requireNonNull(args, "args");
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String name = args.get(i);
      if (flags.contains(name)) {
        values.computeIfAbsent(name, n -> new ArrayList<>()).add("true");
      } else if (withValue.contains(name)) {
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException(name + ": needs a value");
        }
        values.computeIfAbsent(name, n -> new ArrayList<>()).add(args.get(++i));
      } else {
        throw new IllegalArgumentException(name + ": unknown argument");
      }
    }
    return new Arguments(values);
  }

  /** Whether {@code name} was given. */
  public boolean has(String name) {
    return values.containsKey(name);
  }

  /** The values of {@code name}, in order; empty when it was not given. */
  public List<String> all(String name) {
    return List.copyOf(values.getOrDefault(name, List.of()));
  }

  /** The last value of {@code name}, or {@code fallback} when it was not given. */
  public String last(String name, String fallback) {
    List<String> given = values.get(name);
    return given == null ? fallback : given.get(given.size() - 1);
  }
}
