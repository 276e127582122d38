package dev.heartbeat.server;

/**
 * The system load average passed its threshold ({@code raised}), or fell back below it.
 *
 * @param atNanos when, on the monitor scheduler's monotonic clock
 * @param loadAverage the one-minute system load average read
 * @param threshold the configured threshold
 * @param raised true when the load went above the threshold, false when it came back below
 * @param active connections open at that instant
 */
public record OverloadAlarm(long atNanos, double loadAverage, double threshold, boolean raised, int active) {}
