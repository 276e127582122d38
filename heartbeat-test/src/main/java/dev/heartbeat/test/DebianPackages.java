package dev.heartbeat.test;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Installs the Debian packages a test needs (a browser, Node) with {@code apt-get} when the
 * machine lacks them, so that a test never skips itself for want of a tool: a fresh machine
 * gets what it needs from the project's own test run. Tests run as root.
 *
 * <p>Surefire forks, modules built side by side and other builds on the machine may all ask at
 * once: a lock file serializes them across JVMs (apt would otherwise fail on its own lock), and
 * whoever gets the lock second finds the commands present and installs nothing.
 *
 * <pre>{@code
 * DebianPackages.ensure(List.of("/usr/bin/chromium", "/usr/bin/chromedriver"), "chromium", "chromium-driver");
 * }</pre>
 */
public final class DebianPackages {

  /** How long one {@link #ensure} may take, waiting for the lock included. */
  public static final Duration DEADLINE = Duration.ofMinutes(15);

  private static final Path LOCK = Path.of(System.getProperty("java.io.tmpdir"), "heartbeat-debian-packages.lock");

  /** Whether this JVM already refreshed apt's package lists: once is enough. */
  private static boolean updated;

  private DebianPackages() {}

  /**
   * Installs {@code packages} unless every one of {@code commands} is already there. A command is
   * an absolute path or a name looked up on {@code PATH}. Checking commands rather than packages
   * accepts a tool installed some other way (Node from NodeSource ships its own npm).
   *
   * @throws IllegalStateException naming the packages, with apt's output, when the install fails,
   *     takes longer than {@link #DEADLINE}, or leaves a command missing
   */
  public static synchronized void ensure(List<String> commands, String... packages) {
    Objects.requireNonNull(commands, "commands");
    if (packages.length == 0) {
      throw new IllegalArgumentException("packages must name at least one package");
    }
    if (missing(commands).isEmpty()) {
      return;
    }
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    try (FileChannel channel = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
         // Blocks while another JVM installs; its apt run has its own deadline, so this wait ends too.
         FileLock lock = channel.lock()) {
      // Another JVM may have installed them while this one waited for the lock.
      if (missing(commands).isEmpty()) {
        return;
      }
      if (!updated) {
        apt(deadline, packages, "update");
        updated = true;
      }
      List<String> install = new ArrayList<>(List.of("install", "-y", "--no-install-recommends"));
      install.addAll(List.of(packages));
      apt(deadline, packages, install.toArray(String[]::new));
      List<String> stillMissing = missing(commands);
      if (!stillMissing.isEmpty()) {
        throw new IllegalStateException("installed " + String.join(" ", packages) + " but " + stillMissing + " still missing");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot install " + String.join(" ", packages) + ": lock file " + LOCK, e);
    }
  }

  /** The commands of {@code commands} that are not an executable file. */
  static List<String> missing(List<String> commands) {
    List<String> missing = new ArrayList<>();
    for (String command : commands) {
      if (find(command) == null) {
        missing.add(command);
      }
    }
    return missing;
  }

  private static Path find(String command) {
    if (command.contains("/")) {
      Path path = Path.of(command);
      return Files.isExecutable(path) ? path : null;
    }
    String searchPath = Objects.requireNonNullElse(System.getenv("PATH"), "/usr/local/bin:/usr/bin:/bin");
    for (String dir : searchPath.split(File.pathSeparator)) {
      Path path = Path.of(dir.isEmpty() ? "." : dir, command);
      if (Files.isRegularFile(path) && Files.isExecutable(path)) {
        return path;
      }
    }
    return null;
  }

  private static void apt(long deadline, String[] packages, String... arguments) {
    long leftSeconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()));
    List<String> command = new ArrayList<>(List.of("apt-get", "-q",
        // Waits for dpkg's own lock, held by an apt run that is not one of ours, instead of failing.
        "-o", "DPkg::Lock::Timeout=" + leftSeconds));
    command.addAll(List.of(arguments));
    run(command, Path.of("."), Duration.ofSeconds(leftSeconds),
        "cannot install " + String.join(" ", packages) + ("root".equals(System.getProperty("user.name")) ? "" : " (not running as root)"));
  }

  /**
   * Runs {@code command} in {@code dir} and waits for it, at most {@code limit}.
   *
   * @throws IllegalStateException starting with {@code what}, with the end of the command's
   *     output, when it exits with an error or runs past the limit
   */
  static void run(List<String> command, Path dir, Duration limit, String what) {
    String line = String.join(" ", command);
    Path output = null;
    try {
      // Output to a file, not a pipe: a full pipe would stall the command, and the file is read once it ended.
      output = Files.createTempFile("heartbeat-command", ".log");
      ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
          .redirectErrorStream(true).redirectOutput(output.toFile());
      builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
      Process process = builder.start();
      boolean ended = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
      if (!ended) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      if (!ended || process.exitValue() != 0) {
        throw new IllegalStateException(what + ": `" + line + "` "
            + (ended ? "exited with " + process.exitValue() : "ran past its " + limit + " limit") + ":\n"
            + tail(Files.readString(output, StandardCharsets.UTF_8)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(what + ": cannot run `" + line + "`", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + ": interrupted running `" + line + "`", e);
    } finally {
      if (output != null) {
        try {
          Files.deleteIfExists(output);
        } catch (IOException ignored) {
          // a temp file left behind is harmless
        }
      }
    }
  }

  /** The end of apt's output, where its error is. */
  private static String tail(String log) {
    return log.length() <= 4000 ? log : "..." + log.substring(log.length() - 4000);
  }
}
