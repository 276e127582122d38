package dev.heartbeat.benchmarks.load;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Command-line options of the form {@code --name value} or {@code --name=value}; a bare {@code --flag} is {@code true}. */
final class Options {

  private Options() {}

  /** The options in {@code args}; words that are not options go under {@code ""}, space-separated. */
  static Map<String, String> parse(String[] args) {
    return parse(args, Set.of());
  }

  /** As {@link #parse(String[])}, where the names in {@code flags} never take a value. */
  static Map<String, String> parse(String[] args, Set<String> flags) {
    Map<String, String> options = new LinkedHashMap<>();
    StringBuilder positional = new StringBuilder();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        positional.append(positional.length() == 0 ? "" : " ").append(arg);
        continue;
      }
      String name = arg.substring(2);
      int eq = name.indexOf('=');
      if (eq >= 0) {
        options.put(name.substring(0, eq), name.substring(eq + 1));
      } else if (!flags.contains(name) && i + 1 < args.length && !args[i + 1].startsWith("--")) {
        options.put(name, args[++i]);
      } else {
        options.put(name, "true");
      }
    }
    options.put("", positional.toString());
    return options;
  }

  static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("--" + name + ": required");
    }
    return value;
  }

  static int integer(Map<String, String> options, String name, int fallback) {
    String value = options.get(name);
    if (value == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + ": not a whole number: " + value, e);
    }
  }
}
