package dev.heartbeat.examples.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@code main} class run in a JVM of its own with this test's class path
 * ({@code java -cp <test classpath> Main}), its output (stdout and stderr) collected as
 * {@link Lines}. Closing it kills it, whatever state it is in.
 */
public final class JavaProcess implements AutoCloseable {

  private final Process process;
  private final Lines output = new Lines();

  private JavaProcess(Process process) {
    this.process = process;
    Thread reader = new Thread(this::pump, "output of " + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code mainClass} with {@code env} added to this JVM's environment. */
  public static JavaProcess start(Class<?> mainClass, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    try {
      return new JavaProcess(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void pump() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        output.accept(line);
      }
    } catch (IOException ended) {
      // the process is gone
    }
  }

  /** What it printed. */
  public Lines output() {
    return output;
  }

  /** Its process id. */
  public long pid() {
    return process.pid();
  }

  /** Sends SIGTERM. */
  public void terminate() {
    process.destroy();
  }

  /** Sends SIGKILL: the process dies at once, its sockets dropped without a close frame. */
  public void kill() {
    process.destroyForcibly();
  }

  /**
   * Its exit code, waiting at most {@code deadline}.
   *
   * @throws AssertionError when it is still running then
   */
  public int awaitExit(Duration deadline) {
    try {
      if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("still running after " + deadline + "; output:\n" + output);
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
