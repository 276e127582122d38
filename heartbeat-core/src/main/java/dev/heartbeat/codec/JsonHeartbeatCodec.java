package dev.heartbeat.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.heartbeat.frame.WsFrame;
import java.io.IOException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * JSON heartbeats recognised by one string field. A cheap pre-check (length, and one of the
 * two type values appearing in the text as {@link JsonStringEncoder} escapes it) keeps application messages off the JSON parser, so classifying
 * them allocates nothing; candidates are parsed with Jackson's streaming parser.
 */
final class JsonHeartbeatCodec implements HeartbeatCodec {

  /** Longer texts are application messages: heartbeats are tiny, and parsing must stay cheap. */
  private static final int MAX_HEARTBEAT_LENGTH = 512;
  private static final JsonFactory JSON = new JsonFactory();

  private final String field;
  private final String heartbeatType;
  private final String answerType;
  private final String quotedHeartbeatType;
  private final String quotedAnswerType;
  private final WsFrame heartbeat;
  private final WsFrame answer;

  JsonHeartbeatCodec(String field, String heartbeatType, String answerType) {
    this.field = requireText(field, "field");
    this.heartbeatType = requireText(heartbeatType, "heartbeatType");
    this.answerType = requireText(answerType, "answerType");
    if (heartbeatType.equals(answerType)) {
      throw new IllegalArgumentException("answerType: must differ from heartbeatType");
    }
    this.quotedHeartbeatType = quote(heartbeatType);
    this.quotedAnswerType = quote(answerType);
    this.heartbeat = WsFrame.text(object(field, heartbeatType));
    this.answer = WsFrame.text(object(field, answerType));
  }

  @Override
  public String name() {
    return "json";
  }

  @Override
  public WsFrame heartbeat() {
    return heartbeat;
  }

  @Override
  public Kind classify(WsFrame frame) {
    if (!(frame instanceof WsFrame.Text text)) {
      return Kind.MESSAGE;
    }
    String s = text.text();
    if (s.length() > MAX_HEARTBEAT_LENGTH || !(s.contains(quotedHeartbeatType) || s.contains(quotedAnswerType))) {
      return Kind.MESSAGE;
    }
    String type = typeOf(s);
    if (heartbeatType.equals(type)) {
      return Kind.HEARTBEAT;
    }
    return answerType.equals(type) ? Kind.ANSWER : Kind.MESSAGE;
  }

  @Override
  public WsFrame answer(WsFrame heartbeat) {
    return answer;
  }

  /**
   * The top-level string value of {@link #field}, or null when there is none or the text is not
   * one complete JSON object: the whole text is parsed, so a truncated heartbeat is a message.
   */
  private @Nullable String typeOf(String s) {
    try (JsonParser parser = JSON.createParser(s)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      String type = null;
      boolean found = false;
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (!found && field.equals(name)) {
          found = true;
          type = value == JsonToken.VALUE_STRING ? parser.getText() : null;
        }
        parser.skipChildren();
      }
      if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
        return null; // trailing content after the object
      }
      return type;
    } catch (IOException malformed) {
      // Not JSON, or not complete: an application message, which the message codec will judge.
      return null;
    }
  }

  private static String object(String field, String value) {
    return "{\"" + quote(field) + "\":\"" + quote(value) + "\"}";
  }

  /** {@code value} escaped as in a JSON string, without the quotes. */
  private static String quote(String value) {
    return new String(JsonStringEncoder.getInstance().quoteAsString(value));
  }

  private static String requireText(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isEmpty()) {
      throw new IllegalArgumentException(name + ": must not be empty");
    }
    return value;
  }

  @Override
  public String toString() {
    return "json(" + heartbeat + " -> " + answer + ")";
  }
}
