package dev.heartbeat.codec;

import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.transport.WebSocketConnection;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;

/**
 * Decodes inbound frames into application messages without ever failing the stream on bad
 * input: each frame the codec refuses is reported to an error consumer as a typed
 * {@link DecodeException}, then dropped or answered by closing the connection
 * ({@link DecodeErrorAction}). Ping and pong frames are skipped silently: they are never
 * application messages.
 *
 * <p>The error consumer runs on the receiving thread, once per refused frame, before the frame
 * is dropped or the connection closed. If it throws, the exception is ignored (not logged) and
 * the stream goes on. Only a codec bug (an exception other than {@code DecodeException}) errors
 * the stream. By default ({@link #decode}) refused frames are dropped; a failure of the close that
 * {@link DecodeErrorAction#CLOSE} starts is ignored, as {@link WebSocketConnection#onClose()}
 * reports how the connection ended.
 *
 * <pre>{@code
 * Flux<Msg> messages = MessageDecoder.receive(connection, codec, DecodeErrorAction.CLOSE,
 *     error -> log.warn("closing with {}: {}", error.suggestedStatus(), error.getMessage()));
 * }</pre>
 */
public final class MessageDecoder {

  private MessageDecoder() {}

  /**
   * An operator, for {@code transform}, that decodes frames with {@code codec} and DROPs the
   * ones it refuses after reporting them to {@code errors}: the messages after a bad frame are
   * not lost.
   *
   * <pre>{@code
   * connection.receive()
   *     .transform(MessageDecoder.decode(MessageCodec.text(), error -> errors.increment()))
   *     .subscribe(handler);
   * }</pre>
   */
  public static <T> Function<Flux<? extends WsFrame>, Flux<T>> decode(MessageCodec<T> codec,
      Consumer<? super DecodeException> errors) {
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(errors, "errors");
    return frames -> frames.<T>handle((frame, sink) -> decodeOne(codec, errors, frame, sink));
  }

  /**
   * The messages of {@code connection.receive()}, decoded with {@code codec}. A refused frame is
   * reported to {@code errors}, then with {@link DecodeErrorAction#DROP DROP} skipped, and
   * with {@link DecodeErrorAction#CLOSE CLOSE} the connection is closed with the error's
   * {@linkplain DecodeException#suggestedStatus() suggested status} and the returned flux
   * completes after the messages decoded before. The flux completes when the connection
   * closes, and subscribes to {@code receive()}, which allows one subscriber only.
   *
   * <pre>{@code
   * MessageDecoder.receive(connection, MessageCodec.text(), DecodeErrorAction.CLOSE, errors::add)
   *     .flatMap(chat::handle)
   *     .subscribe();
   * }</pre>
   */
  public static <T> Flux<T> receive(WebSocketConnection connection, MessageCodec<T> codec,
      DecodeErrorAction action, Consumer<? super DecodeException> errors) {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(errors, "errors");
    if (action == DecodeErrorAction.DROP) {
      return connection.receive().transform(decode(codec, errors));
    }
    return connection.receive().handle((frame, sink) -> {
      DecodeException error = decodeOne(codec, errors, frame, sink);
      if (error != null) {
        // The close frame goes out first; completing then cancels receive(), which sends nothing.
        connection.close(error.suggestedStatus()).subscribe(null, closeFailed -> { });
        sink.complete();
      }
    });
  }

  /** Emits the decoded message, or reports and returns the error; control frames are skipped. */
  private static <T> @Nullable DecodeException decodeOne(MessageCodec<T> codec,
      Consumer<? super DecodeException> errors, WsFrame frame, SynchronousSink<T> sink) {
    if (frame.isControl()) {
      return null;
    }
    T message;
    try {
      message = codec.decode(frame);
    } catch (DecodeException error) {
      report(errors, error);
      return error;
    }
    sink.next(message);
    return null;
  }

  private static void report(Consumer<? super DecodeException> errors, DecodeException error) {
    try {
      errors.accept(error);
    } catch (Throwable consumerFailed) {
      Exceptions.throwIfJvmFatal(consumerFailed);
      // Documented: a failing error consumer must not break the stream, and core does not log.
    }
  }
}
