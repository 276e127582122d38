package dev.heartbeat.examples.chat;

import dev.heartbeat.codec.JacksonMessageCodec;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The chat's messages, JSON objects told apart by their {@code type} field, with the codecs that
 * read and write them. Heartbeats ({@code heartbeat} / {@code heartbeat_ack}) are not here: the
 * heartbeat operator handles them before any message is decoded.
 *
 * <pre>{@code
 * client -> server  {"type":"chat","text":"hi"}
 * server -> client  {"type":"welcome","user":"alice","id":"7"}
 *                   {"type":"chat","user":"alice","text":"hi","time":1735689600000}
 *                   {"type":"presence","users":["alice","bob"]}
 * }</pre>
 */
public final class ChatProtocol {

  /** The longest chat message a client may send, in characters; longer ones are dropped. */
  public static final int MAX_TEXT_LENGTH = 4096;

  private ChatProtocol() {}

  /** What a client sends. */
  public sealed interface Inbound permits Say {}

  /** A client's chat line; {@code text} is null when the client left it out. */
  public record Say(@Nullable String text) implements Inbound {}

  /** What the server sends. */
  public sealed interface Outbound permits Welcome, Chat, Presence {}

  /** The first message on every connection: who it is and its session id. */
  public record Welcome(String user, String id) implements Outbound {}

  /** A chat line, as broadcast to everyone, in one order for all. */
  public record Chat(String user, String text, long time) implements Outbound {}

  /** Who is connected, sorted, sent whenever that changes and to every newcomer. */
  public record Presence(List<String> users) implements Outbound {
    public Presence {
      users = List.copyOf(users);
    }
  }

  /** Reads client messages; a text over {@link #MAX_TEXT_LENGTH} is refused as too large. */
  public static final JacksonMessageCodec<Inbound> INBOUND = JacksonMessageCodec.builder(Inbound.class)
      .register("chat", Say.class)
      .maxTextLength(MAX_TEXT_LENGTH)
      .build();

  /** Writes server messages. */
  public static final JacksonMessageCodec<Outbound> OUTBOUND = JacksonMessageCodec.builder(Outbound.class)
      .register("welcome", Welcome.class)
      .register("chat", Chat.class)
      .register("presence", Presence.class)
      .build();
}
