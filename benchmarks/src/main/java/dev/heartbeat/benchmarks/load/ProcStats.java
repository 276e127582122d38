package dev.heartbeat.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What Linux says about a process, from {@code /proc}: CPU time, resident memory, the limit on
 * open files, and which I/O machinery its event loops use.
 */
final class ProcStats {

  /** Clock ticks per second of {@code /proc/<pid>/stat} times ({@code getconf CLK_TCK}; 100 on Linux). */
  static final long TICKS_PER_SECOND = 100;

  /**
   * One reading: CPU ticks used so far (user + system, all threads), of which in the kernel
   * (system calls, and the loopback's TCP work done on the process's behalf), and resident set size.
   */
  record Sample(long nanoTime, long cpuTicks, long systemTicks, long rssKb, int threads) {}

  private ProcStats() {}

  /** Reads the process now; throws when it is gone. */
  static Sample sample(long pid) {
    try {
      long now = System.nanoTime();
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the command name, which is in parentheses and may hold spaces.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long utime = Long.parseLong(fields[11]); // field 14 of proc(5)
      long stime = Long.parseLong(fields[12]); // field 15
      int threads = Integer.parseInt(fields[17]); // field 20
      return new Sample(now, utime + stime, stime, statusKb(pid, "VmRSS:"), threads);
    } catch (IOException e) {
      throw new IllegalStateException("process " + pid + " is gone", e);
    }
  }

  /** CPU time used between two samples, in seconds (all threads, user and kernel). */
  static double cpuSeconds(Sample from, Sample to) {
    return (to.cpuTicks() - from.cpuTicks()) / (double) TICKS_PER_SECOND;
  }

  /** CPU use between two samples, in percent of one core. */
  static double cpuPercent(Sample from, Sample to) {
    double seconds = (to.nanoTime() - from.nanoTime()) / 1e9;
    return seconds <= 0 ? 0 : cpuSeconds(from, to) / seconds * 100;
  }

  /** The share of the CPU time between two samples spent in the kernel, in percent; 0 with none. */
  static double kernelShare(Sample from, Sample to) {
    long ticks = to.cpuTicks() - from.cpuTicks();
    return ticks <= 0 ? 0 : 100.0 * (to.systemTicks() - from.systemTicks()) / ticks;
  }

  private static long statusKb(long pid, String key) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith(key)) {
        return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
      }
    }
    return -1;
  }

  /** The soft limit on open files ({@code ulimit -n} inside the process); -1 if unknown. */
  static long maxOpenFiles(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits"))) {
        if (line.startsWith("Max open files")) {
          String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
          return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // unknown
    }
    return -1;
  }

  /**
   * How many of the process's descriptors are io_uring instances and epoll instances: a
   * Netty io_uring event loop holds a {@code [io_uring]} one, epoll and NIO loops an
   * {@code [eventpoll]} one. Evidence of the I/O transport really used.
   */
  static Map<String, Integer> pollers(long pid) {
    Map<String, Integer> counts = new TreeMap<>(Map.of("io_uring", 0, "eventpoll", 0));
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      fds.forEach(fd -> {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.equals("anon_inode:[io_uring]")) {
            counts.merge("io_uring", 1, Integer::sum);
          } else if (target.equals("anon_inode:[eventpoll]")) {
            counts.merge("eventpoll", 1, Integer::sum);
          }
        } catch (IOException closedMeanwhile) {
          // the descriptor closed while listed
        }
      });
    } catch (IOException e) {
      // the process is gone
    }
    return counts;
  }

  /** The names of the process's threads that look like event loops (15 characters at most, as Linux keeps them). */
  static List<String> eventLoopThreads(long pid) {
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      return tasks.map(task -> {
        try {
          return Files.readString(task.resolve("comm")).trim();
        } catch (IOException gone) {
          return "";
        }
      }).filter(name -> name.contains("reactor-http") || name.contains("eventloop") || name.contains("vert.x"))
          .distinct().sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }
}
