package dev.heartbeat.server;

import dev.heartbeat.PeerState;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * One live connection as the registry sees it, at the instant it was read.
 *
 * @param id the registry's id for it, unique per registry
 * @param remoteAddress the peer's address, when the transport has one
 * @param key its session key (user, device), or null
 * @param openedAtNanos when it was registered, on its scheduler's monotonic clock
 * @param lastSeenNanos when the peer was last heard from, same clock
 * @param lastRtt its last heartbeat round trip, or null before the first answer
 * @param state what the heartbeat believes about the peer
 */
public record ConnectionInfo(
    String id,
    @Nullable InetSocketAddress remoteAddress,
    @Nullable String key,
    long openedAtNanos,
    long lastSeenNanos,
    @Nullable Duration lastRtt,
    PeerState state) {}
