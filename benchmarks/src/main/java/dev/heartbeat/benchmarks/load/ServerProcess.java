package dev.heartbeat.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A running server under test: its process, its {@code /stats}, and how to stop it. */
final class ServerProcess implements AutoCloseable {

  // HTTP/1.1: the JDK's default asks for an h2c upgrade, which Node hands to its WebSocket upgrade handler.
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  final ServerSpec spec;
  final int port;
  final Process process;
  final Path log;

  private ServerProcess(ServerSpec spec, int port, Process process, Path log) {
    this.spec = spec;
    this.port = port;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code spec} on {@code port}, at {@code nice} (0: the driver's priority), and waits
   * until its {@code /stats} answers. {@code nice} execs the server, so its pid is the server's.
   */
  static ServerProcess start(ServerSpec spec, int port, Duration interval, Duration timeout, int nice, Path log,
      Path workDir) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    if (nice != 0) {
      command.addAll(List.of("nice", "-n", Integer.toString(nice)));
    }
    command.addAll(spec.command());
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> env = new HashMap<>(spec.env());
    env.put("PORT", Integer.toString(port));
    env.put("HB_INTERVAL_MS", Long.toString(interval.toMillis()));
    env.put("HB_TIMEOUT_MS", Long.toString(timeout.toMillis()));
    env.put("HB_FORMAT", "ping-frame");
    builder.environment().putAll(env);
    ServerProcess server = new ServerProcess(spec, port, builder.start(), log);
    try {
      server.awaitReady(Duration.ofSeconds(60));
    } catch (RuntimeException | InterruptedException e) {
      server.process.destroyForcibly();
      throw e;
    }
    return server;
  }

  long pid() {
    return process.pid();
  }

  private void awaitReady(Duration limit) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(spec.name() + " exited with " + process.exitValue() + " before it answered /stats; see " + log);
      }
      try {
        stats();
        return;
      } catch (RuntimeException notYet) {
        if (System.nanoTime() > end) {
          throw new IllegalStateException(spec.name() + " did not answer /stats within " + limit + "; see " + log, notYet);
        }
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  /** {@code GET /stats}; {@code gc=true} asks a Node server to collect garbage first. */
  JsonNode stats(boolean gc) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/stats" + (gc ? "?gc=1" : "")))
        .timeout(Duration.ofSeconds(5)).build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(spec.name() + " /stats answered " + response.statusCode());
      }
      return ControlLoop.JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException(spec.name() + " /stats failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  JsonNode stats() {
    return stats(false);
  }

  /** Collects garbage (a full GC for a JVM through {@code jcmd}), then reads {@code /stats}. */
  JsonNode statsAfterGc() throws IOException, InterruptedException {
    if (spec.jvm()) {
      Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid()), "GC.run").redirectErrorStream(true).start();
      jcmd.getInputStream().readAllBytes();
      jcmd.waitFor(30, TimeUnit.SECONDS);
      return stats(false);
    }
    return stats(true);
  }

  /** SIGTERM, as the contract says; SIGKILL after 15 s. Returns once the process is gone. */
  void stop() throws InterruptedException {
    terminate();
    awaitExit();
  }

  /** Sends SIGTERM and returns at once: the server may still be closing its connections. */
  void terminate() {
    process.destroy();
  }

  /** Waits for the process to end after {@link #terminate()}; SIGKILL after 15 s. */
  void awaitExit() throws InterruptedException {
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Waits until the port refuses connections (the server stopped listening), probing every
   * millisecond; returns when it did ({@link System#nanoTime}).
   */
  long awaitPortClosed(Duration limit) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < end) {
      try (java.net.Socket probe = new java.net.Socket()) {
        probe.connect(new java.net.InetSocketAddress("127.0.0.1", port), 100);
      } catch (IOException refused) {
        return System.nanoTime();
      }
      TimeUnit.MILLISECONDS.sleep(1);
    }
    throw new IllegalStateException(spec.name() + " still listens on " + port + " " + limit + " after SIGTERM");
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop();
    }
  }
}
