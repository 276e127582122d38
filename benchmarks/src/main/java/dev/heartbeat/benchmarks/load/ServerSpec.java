package dev.heartbeat.benchmarks.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A server under test as a command line and an environment: the load driver knows nothing else
 * about it. The environment always gets the demo server's contract ({@code PORT},
 * {@code HB_INTERVAL_MS}, {@code HB_TIMEOUT_MS}, {@code HB_FORMAT}) on top of {@link #env()}.
 *
 * @param name how results name it
 * @param command the command line, with the JVM flags for a Java server
 * @param env the extra environment (e.g. {@code TRANSPORT=vertx})
 * @param jvm whether it is a JVM (then {@code jcmd GC.run} collects garbage before the heap is read)
 */
record ServerSpec(String name, List<String> command, Map<String, String> env, boolean jvm) {

  /**
   * The flags of every JVM server, identical for all so that their figures compare. A fixed,
   * pre-touched heap: its pages are resident from the start, so the growth of RSS under load is
   * the off-heap cost of the connections (direct buffers, native state) and not how much of the
   * heap the collector happened to touch; the on-heap cost is read separately, as live heap after
   * a full collection. The serial collector: no concurrent GC threads competing with the load
   * on two cores, so the server's CPU time is its own work plus its own collections, and the
   * least collector memory. Its pauses go to the server's log. Metaspace starts at 64 MB: at
   * the default first threshold (about 21 MB) a server makes a full collection, with a stall of
   * its loops, whenever the classes it loads under load cross it (since 2026-11-22 15:30 UTC; it
   * fell inside the storm's window on Vert.x and inside the dead-peer window on Reactor Netty).
   */
  static final List<String> SERVER_JVM_FLAGS = List.of("-Xms1g", "-Xmx1g", "-XX:+UseSerialGC", "-XX:+AlwaysPreTouch",
      "-XX:MetaspaceSize=64m", "-Xlog:gc:stderr:time,uptime");

  /** A Java server: {@code java FLAGS -cp classPath mainClass}. */
  static ServerSpec java(String name, List<String> classPath, String mainClass, Map<String, String> env) {
    List<String> command = new ArrayList<>();
    command.add(javaExecutable());
    command.addAll(SERVER_JVM_FLAGS);
    command.add("-cp");
    command.add(String.join(java.io.File.pathSeparator, classPath));
    command.add(mainClass);
    return new ServerSpec(name, List.copyOf(command), Map.copyOf(env), true);
  }

  /** The {@code java} of the JVM running the driver. */
  static String javaExecutable() {
    return ProcessHandle.current().info().command().orElse("java");
  }
}
