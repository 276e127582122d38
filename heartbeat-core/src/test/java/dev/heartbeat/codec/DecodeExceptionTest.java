package dev.heartbeat.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.HeartbeatException;
import dev.heartbeat.codec.DecodeException.FrameKind;
import dev.heartbeat.codec.DecodeException.Reason;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DecodeExceptionTest {

  @Test
  void eachReasonSuggestsItsCloseStatus() {
    assertEquals(1007, Reason.MALFORMED.suggestedStatus().code());
    assertEquals(1008, Reason.UNKNOWN_TYPE.suggestedStatus().code());
    assertEquals(1003, Reason.WRONG_FRAME_KIND.suggestedStatus().code());
    assertEquals(1009, Reason.TOO_LARGE.suggestedStatus().code());
    assertSame(CloseStatus.INVALID_PAYLOAD, Reason.MALFORMED.suggestedStatus());
    assertSame(CloseStatus.POLICY_VIOLATION, Reason.UNKNOWN_TYPE.suggestedStatus());
    assertSame(CloseStatus.UNSUPPORTED_DATA, Reason.WRONG_FRAME_KIND.suggestedStatus());
    assertSame(CloseStatus.TOO_BIG, Reason.TOO_LARGE.suggestedStatus());
  }

  @Test
  void factoriesSetReasonKindSizeAndSuggestedStatus() {
    WsFrame text = WsFrame.text("{\"a\":");
    WsFrame binary = WsFrame.binary(new byte[300]);

    DecodeException malformed = DecodeException.malformed(text, "not valid JSON", null);
    assertEquals(Reason.MALFORMED, malformed.reason());
    assertEquals(FrameKind.TEXT, malformed.frameKind());
    assertEquals(5, malformed.frameSize());
    assertEquals(1007, malformed.suggestedStatus().code());

    DecodeException unknown = DecodeException.unknownType(text, "type", "shout");
    assertEquals(Reason.UNKNOWN_TYPE, unknown.reason());
    assertEquals("shout", unknown.typeName());
    assertEquals(1008, unknown.suggestedStatus().code());

    DecodeException missing = DecodeException.missingType(text, "type");
    assertEquals(Reason.UNKNOWN_TYPE, missing.reason());
    assertNull(missing.typeName());

    DecodeException wrongKind = DecodeException.wrongFrameKind(binary, FrameKind.TEXT);
    assertEquals(Reason.WRONG_FRAME_KIND, wrongKind.reason());
    assertEquals(FrameKind.BINARY, wrongKind.frameKind());
    assertEquals(300, wrongKind.frameSize());
    assertEquals(1003, wrongKind.suggestedStatus().code());

    DecodeException tooLarge = DecodeException.tooLarge(binary, 256);
    assertEquals(Reason.TOO_LARGE, tooLarge.reason());
    assertEquals(1009, tooLarge.suggestedStatus().code());
    assertTrue(tooLarge.getMessage().contains("256"), tooLarge.getMessage());
  }

  @Test
  void isAHeartbeatExceptionAndKeepsItsCause() {
    IllegalStateException cause = new IllegalStateException("parser");
    DecodeException error = DecodeException.malformed(WsFrame.text("x"), "bad", cause);
    assertInstanceOf(HeartbeatException.class, error);
    assertSame(cause, error.getCause());
  }

  @Test
  void messageNamesReasonKindAndSizeButNotTheWholePayload() {
    String secret = "{\"type\":\"chat\",\"text\":\"" + "s".repeat(1000) + "END-OF-PAYLOAD";
    DecodeException error = DecodeException.malformed(WsFrame.text(secret), "not valid JSON", null);
    String message = error.getMessage();
    assertTrue(message.startsWith("MALFORMED: text frame of " + secret.length() + " chars"), message);
    assertFalse(message.contains("END-OF-PAYLOAD"), message);
    assertTrue(message.length() < 400, () -> "message of " + message.length() + " chars");
  }

  @Test
  void excerptIsCappedTo64Chars() {
    String payload = "abcdefghij".repeat(20);
    DecodeException error = DecodeException.malformed(WsFrame.text(payload), "bad", null);
    assertEquals(DecodeException.MAX_EXCERPT_CHARS, error.excerpt().length());
    assertEquals(payload.substring(0, 61) + "...", error.excerpt());
    assertTrue(error.getMessage().contains(error.excerpt()), error.getMessage());
  }

  @Test
  void shortPayloadIsExcerptedWhole() {
    assertEquals("{\"a\":", DecodeException.malformed(WsFrame.text("{\"a\":"), "bad", null).excerpt());
  }

  @Test
  void excerptReplacesControlCharacters() {
    DecodeException error = DecodeException.malformed(WsFrame.text("a\nb\u0000c"), "bad", null);
    assertEquals("a b c", error.excerpt());
    assertFalse(error.getMessage().contains("\n"), error.getMessage());
  }

  @Test
  void excerptDoesNotSplitASurrogatePair() {
    String payload = "x".repeat(60) + "\uD83D\uDE00" + "y".repeat(10); // emoji at chars 60-61
    String excerpt = DecodeException.malformed(WsFrame.text(payload), "bad", null).excerpt();
    assertEquals("x".repeat(60) + "...", excerpt);
  }

  @Test
  void malformedBinaryIsExcerptedAsUtf8() {
    byte[] bytes = "{\"type\":\"é\"".getBytes(StandardCharsets.UTF_8);
    DecodeException error = DecodeException.malformed(WsFrame.binary(bytes), "bad", null);
    assertEquals(FrameKind.BINARY, error.frameKind());
    assertEquals(bytes.length, error.frameSize());
    assertEquals("{\"type\":\"é\"", error.excerpt());
  }

  @Test
  void binaryOfTheWrongKindIsNotExcerpted() {
    DecodeException error = DecodeException.wrongFrameKind(WsFrame.binary(new byte[] {'a', 'b'}), FrameKind.TEXT);
    assertEquals("", error.excerpt());
    assertTrue(error.getMessage().contains("binary frame of 2 bytes"), error.getMessage());
    assertTrue(error.getMessage().contains("a text frame is expected"), error.getMessage());
  }

  @Test
  void typeNameIsCappedLikeTheExcerpt() {
    DecodeException error = DecodeException.unknownType(WsFrame.text("{}"), "type", "t".repeat(500));
    assertEquals(DecodeException.MAX_EXCERPT_CHARS, error.typeName().length());
  }

  @Test
  void frameKindOfEachFrame() {
    assertEquals(FrameKind.TEXT, FrameKind.of(WsFrame.text("")));
    assertEquals(FrameKind.BINARY, FrameKind.of(WsFrame.binary(new byte[0])));
    assertEquals(FrameKind.PING, FrameKind.of(WsFrame.ping()));
    assertEquals(FrameKind.PONG, FrameKind.of(WsFrame.pong(new byte[0])));
    assertEquals(FrameKind.CLOSE, FrameKind.of(WsFrame.close(CloseStatus.NORMAL)));
  }
}
