package dev.heartbeat.benchmarks.baseline;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The counters behind {@code GET /stats}, the same JSON for every Java baseline as the demo
 * server's: {@code active}, {@code total}, {@code closedByTimeout}, {@code pid},
 * {@code heapUsedBytes}, plus the baseline's name and the I/O transport it really runs on.
 */
public final class ServerStats {

  private final String server;
  private final AtomicLong active = new AtomicLong();
  private final AtomicLong total = new AtomicLong();
  private final AtomicLong closedByTimeout = new AtomicLong();
  private volatile String io = "unknown";

  public ServerStats(String server) {
    this.server = server;
  }

  /** A connection was accepted. */
  public void opened() {
    active.incrementAndGet();
    total.incrementAndGet();
  }

  /** A connection is gone, however it ended. */
  public void closed() {
    active.decrementAndGet();
  }

  /** The heartbeat declared a peer dead and began closing it. */
  public void timedOut() {
    closedByTimeout.incrementAndGet();
  }

  /** The I/O transport seen on an accepted connection (a channel class, or Vert.x's answer). */
  public void io(String io) {
    this.io = io;
  }

  /** The stats as one JSON object. */
  public String json() {
    Runtime runtime = Runtime.getRuntime();
    return "{\"server\":\"" + server + "\""
        + ",\"active\":" + active.get()
        + ",\"total\":" + total.get()
        + ",\"closedByTimeout\":" + closedByTimeout.get()
        + ",\"pid\":" + ProcessHandle.current().pid()
        + ",\"heapUsedBytes\":" + (runtime.totalMemory() - runtime.freeMemory())
        + ",\"io\":\"" + io + "\"}";
  }
}
