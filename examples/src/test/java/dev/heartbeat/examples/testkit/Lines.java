package dev.heartbeat.examples.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Lines printed by a program under test, from any thread, and waits for them with deadlines. */
public final class Lines implements Consumer<String> {

  private final List<String> lines = new ArrayList<>();

  @Override
  public synchronized void accept(String line) {
    lines.add(line);
    notifyAll();
  }

  /** Every line so far. */
  public synchronized List<String> all() {
    return List.copyOf(lines);
  }

  /** The lines so far that {@code match}. */
  public synchronized List<String> matching(Predicate<String> match) {
    return lines.stream().filter(match).toList();
  }

  /** The first line starting with {@code prefix}, waiting at most {@code deadline}. */
  public String await(String prefix, Duration deadline) {
    return await(line -> line.startsWith(prefix), 1, deadline, "a line starting with '" + prefix + "'");
  }

  /**
   * The {@code count}-th line that matches, waiting at most {@code deadline}.
   *
   * @throws AssertionError naming {@code what} and listing every line when the deadline passes
   */
  public synchronized String await(Predicate<String> match, int count, Duration deadline, String what) {
    long end = System.nanoTime() + deadline.toNanos();
    while (true) {
      List<String> found = lines.stream().filter(match).toList();
      if (found.size() >= count) {
        return found.get(count - 1);
      }
      long left = end - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no " + what + " (x" + count + ") within " + deadline + "; lines: " + lines);
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  @Override
  public synchronized String toString() {
    return String.join("\n", lines);
  }
}
