package dev.heartbeat.codec;

/** Typed messages for the codec tests. */
final class TestMessages {

  private TestMessages() {}

  /** The base type of the test messages. */
  sealed interface Msg permits Chat, Join, Note, Renamed {}

  /** A chat line; carries its type as a component. */
  record Chat(String type, String text) implements Msg {}

  /** Someone joined; carries its type as a component. */
  record Join(String type, String user) implements Msg {}

  /** A message without a type component. */
  record Note(String body) implements Msg {}

  /** A message whose property name a naming strategy changes. */
  record Renamed(String userName) implements Msg {}

  /** The usual codec: "chat" and "join". */
  static JacksonMessageCodec<Msg> chatCodec() {
    return JacksonMessageCodec.builder(Msg.class)
        .register("chat", Chat.class)
        .register("join", Join.class)
        .build();
  }
}
