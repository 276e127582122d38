package dev.heartbeat.codec;

import dev.heartbeat.frame.WsFrame;

/**
 * Turns inbound data frames into application messages and messages into frames. Heartbeats and
 * control frames never reach a message codec: {@link MessageDecoder} skips pings and pongs, and
 * the heartbeat operator strips heartbeats before.
 *
 * <p>{@link #decode(WsFrame)} reports bad input as a {@link DecodeException}, never as another
 * exception, so that {@link MessageDecoder} can drop the frame or close the connection with the
 * fitting status. By default use {@link #text()}; {@link JacksonMessageCodec} decodes typed JSON.
 *
 * <pre>{@code
 * MessageCodec<String> codec = MessageCodec.text();
 * Flux<String> messages = connection.receive().transform(MessageDecoder.decode(codec, errors::add));
 * connection.send(replies.map(codec::encode));
 * }</pre>
 *
 * @param <T> the application message type
 */
public interface MessageCodec<T> {

  /**
   * The message {@code frame} carries. Only data frames (text, binary) are passed.
   *
   * @throws DecodeException when the frame is of the wrong kind, too large, or not a valid
   *     message; no other exception for bad input
   */
  T decode(WsFrame frame) throws DecodeException;

  /** The frame that carries {@code message}. */
  WsFrame encode(T message);

  /**
   * Text frames as strings, unchanged; a binary frame is {@link DecodeException.Reason#WRONG_FRAME_KIND}.
   *
   * <pre>{@code
   * MessageDecoder.receive(connection, MessageCodec.text(), DecodeErrorAction.CLOSE, errors::add)
   * }</pre>
   */
  static MessageCodec<String> text() {
    return PresetMessageCodecs.TEXT;
  }

  /**
   * Binary frames as byte arrays (copies); a text frame is
   * {@link DecodeException.Reason#WRONG_FRAME_KIND}.
   *
   * <pre>{@code
   * MessageDecoder.receive(connection, MessageCodec.binary(), DecodeErrorAction.CLOSE, errors::add)
   * }</pre>
   */
  static MessageCodec<byte[]> binary() {
    return PresetMessageCodecs.BINARY;
  }

  /**
   * Frames as they are, both ways: for handlers that want to see the kind of each frame. It
   * never fails.
   *
   * <pre>{@code
   * MessageDecoder.receive(connection, MessageCodec.frames(), DecodeErrorAction.DROP, errors::add)
   * }</pre>
   */
  static MessageCodec<WsFrame> frames() {
    return PresetMessageCodecs.FRAMES;
  }
}
