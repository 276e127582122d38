package dev.heartbeat.benchmarks.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The line protocol between the load driver and its client processes: one command a line on
 * stdin ({@code name arg...}), one JSON object a line on stdout, each with an {@code event}
 * field. A command that fails answers {@code {"event":"error",...}}; {@code exit} ends the loop.
 */
final class ControlLoop {

  static final ObjectMapper JSON = new ObjectMapper();

  /** One command: its arguments in, its answer (without {@code event}) out. */
  interface Command {
    Map<String, Object> run(String[] args) throws Exception;
  }

  private ControlLoop() {}

  /** Serves {@code commands} until {@code exit} or the end of stdin. */
  static void serve(Map<String, Command> commands) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] words = line.trim().split("\\s+");
      if (words[0].isEmpty()) {
        continue;
      }
      if (words[0].equals("exit")) {
        return;
      }
      Command command = commands.get(words[0]);
      if (command == null) {
        emit("error", Map.of("message", "unknown command: " + words[0] + ", known: " + commands.keySet()));
        continue;
      }
      try {
        emit(words[0], command.run(Arrays.copyOfRange(words, 1, words.length)));
      } catch (Exception e) {
        emit("error", Map.of("command", words[0], "message", String.valueOf(e)));
      }
    }
  }

  /** Prints one JSON line {@code {"event":event, ...fields}}. */
  static void emit(String event, Map<String, ?> fields) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("event", event);
    line.putAll(fields);
    try {
      String text = JSON.writeValueAsString(line);
      synchronized (System.out) {
        System.out.println(text);
        System.out.flush();
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The soft limit on open files of this process, from {@code /proc/self/limits}; -1 if unknown. */
  static long maxOpenFiles() {
    return ProcStats.maxOpenFiles(ProcessHandle.current().pid());
  }
}
