package dev.heartbeat.test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Node's {@code ws} package, the WebSocket peer most JavaScript servers and tools use, as an
 * interop peer this project did not write. {@link #ensureInstalled()} installs it from the npm
 * registry on first use (and Node itself from Debian's packages through {@link DebianPackages}
 * when the machine has none), so an interop test never skips itself for want of the tool.
 *
 * <pre>{@code
 * try (NodeWs.Peer peer = NodeWs.run("const ws = new WebSocket(process.argv[2]); ...", url)) {
 *   peer.awaitLine(line -> line.equals("open"), Duration.ofSeconds(10));
 * }
 * }</pre>
 */
public final class NodeWs {

  /** The pinned version of the npm package. */
  public static final String WS_VERSION = "8.18.3";

  private static final Path HOME = Path.of("target", "node-ws").toAbsolutePath();

  private NodeWs() {}

  /**
   * The directory whose {@code node_modules} holds {@code ws}, installing Node and {@code ws}
   * first when they are missing.
   */
  public static synchronized Path ensureInstalled() {
    DebianPackages.ensure(List.of("node", "npm"), "nodejs", "npm");
    if (!Files.exists(HOME.resolve("node_modules/ws/package.json"))) {
      try {
        Files.createDirectories(HOME);
        Files.writeString(HOME.resolve("package.json"), "{\"name\":\"heartbeat-interop\",\"private\":true}\n");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      DebianPackages.run(List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "ws@" + WS_VERSION),
          HOME, Duration.ofMinutes(5), "cannot install ws@" + WS_VERSION + " from npm");
    }
    return HOME;
  }

  /**
   * Runs {@code script} with Node, {@code ws} resolvable by {@code require('ws')}; {@code args}
   * arrive as {@code process.argv[2..]}. Every line it prints (stdout and stderr) is collected.
   */
  public static Peer run(String script, String... args) {
    Path home = ensureInstalled();
    try {
      Path file = Files.createTempFile(home, "peer", ".js");
      Files.writeString(file, script);
      List<String> command = new ArrayList<>(List.of("node", file.toString()));
      command.addAll(List.of(args));
      Process process = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true).start();
      return new Peer(process);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A running Node peer. Closing it kills the process. */
  public static final class Peer implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new ArrayList<>();

    private Peer(Process process) {
      this.process = process;
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            synchronized (lines) {
              lines.add(line);
              lines.notifyAll();
            }
          }
        } catch (IOException ignored) {
          // the process ended
        }
      }, "node-peer-" + process.pid());
      reader.setDaemon(true);
      reader.start();
    }

    /** Every line printed so far. */
    public List<String> lines() {
      synchronized (lines) {
        return List.copyOf(lines);
      }
    }

    /**
     * Waits until a printed line matches, and returns it.
     *
     * @throws AssertionError with everything printed so far when none matches in time
     */
    public String awaitLine(Predicate<String> match, Duration deadline) {
      long end = System.nanoTime() + deadline.toNanos();
      synchronized (lines) {
        while (true) {
          for (String line : lines) {
            if (match.test(line)) {
              return line;
            }
          }
          long left = end - System.nanoTime();
          if (left <= 0 || (!process.isAlive() && lines.stream().noneMatch(match))) {
            if (left > 0) {
              // The process ended; its last lines may still be in flight.
              try {
                process.waitFor(1, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              for (String line : lines) {
                if (match.test(line)) {
                  return line;
                }
              }
            }
            throw new AssertionError("no matching line from the Node peer within " + deadline + "; it printed: " + lines);
          }
          try {
            lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
          }
        }
      }
    }

    /** Whether the process is still running. */
    public boolean isAlive() {
      return process.isAlive();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }
}
