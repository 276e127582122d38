package dev.heartbeat.examples.chat;

import dev.heartbeat.codec.DecodeErrorAction;
import dev.heartbeat.codec.MessageDecoder;
import dev.heartbeat.server.ConnectionRegistry;
import dev.heartbeat.server.ServerSession;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;

/**
 * The chat itself, on top of a {@link ConnectionRegistry} that already runs heartbeats, keys
 * connections by user and closes an older connection of the same user with 4500. Each
 * connection is welcomed, told who is here, and gets every chat line in one order, the same for
 * all: broadcasts are serialized here and each connection's buffer keeps that order.
 *
 * <p>A message that cannot be decoded (not JSON, an unknown type, a binary frame, longer than
 * {@link ChatProtocol#MAX_TEXT_LENGTH}) is DROPPED and counted as a decode error: the connection
 * stays open and the messages after it are read ({@link DecodeErrorAction#DROP}).
 */
final class ChatRoom {

  private final ConnectionRegistry registry;
  private final LongSupplier clock;
  /** Welcomed connections by session id, with their user: who gets broadcasts, who is present. */
  private final Map<String, String> members = new ConcurrentHashMap<>();
  /** Serializes welcomes and broadcasts, so every connection sees one order. */
  private final Object order = new Object();
  private List<String> present = List.of(); // guarded by order

  ChatRoom(ConnectionRegistry registry, LongSupplier clock) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Runs one connection: welcome, presence, then its chat lines until it closes. */
  Publisher<Void> handle(ServerSession session) {
    // The handshake check turned away connections without a user, so every session has a key.
    String user = Objects.requireNonNull(session.key(), "user");
    synchronized (order) {
      // Queued before the session becomes a member: no broadcast can overtake its welcome.
      session.offer(ChatProtocol.OUTBOUND.encode(new ChatProtocol.Welcome(user, session.id())));
      members.put(session.id(), user);
      announcePresence(session);
    }
    session.onClose().subscribe(status -> leave(session));
    return MessageDecoder.receive(session, ChatProtocol.INBOUND, DecodeErrorAction.DROP, error -> registry.recordDecodeError())
        .doOnNext(message -> {
          if (message instanceof ChatProtocol.Say say) {
            say(user, say.text());
          }
        })
        .then();
  }

  private void say(String user, @Nullable String text) {
    if (text == null || text.isBlank()) {
      return; // nothing to say: not an error, not a broadcast
    }
    synchronized (order) {
      broadcast(new ChatProtocol.Chat(user, text, clock.getAsLong()));
    }
  }

  private void leave(ServerSession session) {
    synchronized (order) {
      if (members.remove(session.id()) != null) {
        announcePresence(null);
      }
    }
  }

  /** Tells everyone who is here when that changed, else only the newcomer. Holds {@code order}. */
  private void announcePresence(@Nullable ServerSession newcomer) {
    List<String> users = members.values().stream().distinct().sorted().toList();
    ChatProtocol.Presence presence = new ChatProtocol.Presence(users);
    if (!users.equals(present)) {
      present = users;
      broadcast(presence);
    } else if (newcomer != null) {
      newcomer.offer(ChatProtocol.OUTBOUND.encode(presence));
    }
  }

  private void broadcast(ChatProtocol.Outbound message) {
    registry.broadcast(ChatProtocol.OUTBOUND.encode(message), session -> members.containsKey(session.id()));
  }
}
