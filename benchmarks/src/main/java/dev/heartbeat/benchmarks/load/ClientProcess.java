package dev.heartbeat.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A client process ({@link LoadClient} or {@link StormClient}) and its {@link ControlLoop} line protocol. */
final class ClientProcess implements AutoCloseable {

  /**
   * The client JVMs' flags. A fixed, pre-touched heap with a 1 GiB young generation: a scenario's
   * window allocates less than that, so the client does not collect in it. With a 256 MiB heap the
   * 5,000 storm clients paused for 0.2-0.6 s (a full collection among them) during the reconnect
   * window; the paused client then counted its reconnects in bursts, and the storm's peak
   * measured the client's collector, not the server. Pauses are logged to the client's log.
   */
  static final List<String> CLIENT_JVM_FLAGS = List.of("-Xms2g", "-Xmx2g", "-Xmn1g", "-XX:+UseSerialGC",
      "-XX:+AlwaysPreTouch", "-Xlog:gc:stderr:time,uptime");

  private final Process process;
  private final Writer commands;
  private final BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
  final JsonNode ready;
  final String name;

  private ClientProcess(String name, Process process) throws InterruptedException {
    this.name = name;
    this.process = process;
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("{")) {
            lines.add(ControlLoop.JSON.readTree(line));
          }
        }
      } catch (IOException ended) {
        // the process ended
      }
    }, name + "-reader");
    reader.setDaemon(true);
    reader.start();
    this.ready = await("ready", Duration.ofSeconds(60));
  }

  /** Starts {@code java CLIENT_JVM_FLAGS -cp classPath mainClass args}, its stderr into {@code log}. */
  static ClientProcess start(String name, List<String> classPath, Class<?> main, List<String> args, Path log)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ServerSpec.javaExecutable());
    command.addAll(CLIENT_JVM_FLAGS);
    command.add("-cp");
    command.add(String.join(java.io.File.pathSeparator, classPath));
    command.add(main.getName());
    command.addAll(args);
    Process process = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    try {
      return new ClientProcess(name, process);
    } catch (RuntimeException | InterruptedException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  long pid() {
    return process.pid();
  }

  /** Sends {@code command} and waits for its answer; an {@code error} answer throws. */
  JsonNode call(String command, Duration limit) throws IOException, InterruptedException {
    send(command);
    return await(command.split(" ")[0], limit);
  }

  void send(String command) throws IOException {
    commands.write(command + "\n");
    commands.flush();
  }

  /** Waits for the next line whose event is {@code event}. */
  JsonNode await(String event, Duration limit) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (true) {
      JsonNode line = lines.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new IllegalStateException(name + ": no '" + event + "' answer within " + limit
            + (process.isAlive() ? "" : " (the process exited with " + process.exitValue() + ")"));
      }
      String got = line.path("event").asText();
      if (got.equals("error")) {
        throw new IllegalStateException(name + ": " + line);
      }
      if (got.equals(event)) {
        return line;
      }
    }
  }

  /** Stops the process with SIGSTOP: it keeps its sockets, the kernel keeps acknowledging, it answers nothing. */
  void freeze() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** Resumes a frozen process with SIGCONT. */
  void thaw() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).redirectErrorStream(true).start();
    String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + name + " " + pid() + " failed: " + output);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    try {
      thaw(); // harmless when running; needed when frozen
      send("exit");
    } catch (IOException | RuntimeException gone) {
      // the process is ending anyway
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
