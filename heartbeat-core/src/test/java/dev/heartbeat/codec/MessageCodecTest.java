package dev.heartbeat.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.heartbeat.codec.DecodeException.FrameKind;
import dev.heartbeat.codec.DecodeException.Reason;
import dev.heartbeat.frame.WsFrame;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

  @Test
  void textRoundTrips() {
    MessageCodec<String> codec = MessageCodec.text();
    assertEquals("héllo", codec.decode(WsFrame.text("héllo")));
    assertEquals(WsFrame.text("héllo"), codec.encode("héllo"));
    assertEquals("", codec.decode(codec.encode("")));
  }

  @Test
  void textRefusesABinaryFrameAsWrongFrameKind() {
    DecodeException error = assertThrows(DecodeException.class,
        () -> MessageCodec.text().decode(WsFrame.binary(new byte[] {1, 2, 3})));
    assertEquals(Reason.WRONG_FRAME_KIND, error.reason());
    assertEquals(FrameKind.BINARY, error.frameKind());
    assertEquals(3, error.frameSize());
    assertEquals(1003, error.suggestedStatus().code());
  }

  @Test
  void binaryRoundTrips() {
    MessageCodec<byte[]> codec = MessageCodec.binary();
    assertArrayEquals(new byte[] {1, 2}, codec.decode(WsFrame.binary(new byte[] {1, 2})));
    assertEquals(WsFrame.binary(new byte[] {1, 2}), codec.encode(new byte[] {1, 2}));
  }

  @Test
  void binaryDecodesACopy() {
    WsFrame frame = WsFrame.binary(new byte[] {1, 2});
    MessageCodec.binary().decode(frame)[0] = 9;
    assertArrayEquals(new byte[] {1, 2}, MessageCodec.binary().decode(frame));
  }

  @Test
  void binaryRefusesATextFrameAsWrongFrameKind() {
    DecodeException error = assertThrows(DecodeException.class,
        () -> MessageCodec.binary().decode(WsFrame.text("hello")));
    assertEquals(Reason.WRONG_FRAME_KIND, error.reason());
    assertEquals(FrameKind.TEXT, error.frameKind());
    assertEquals(5, error.frameSize());
    assertEquals(1003, error.suggestedStatus().code());
  }

  @Test
  void framesPassThroughBothWays() {
    MessageCodec<WsFrame> codec = MessageCodec.frames();
    WsFrame text = WsFrame.text("a");
    WsFrame binary = WsFrame.binary(new byte[] {1});
    assertSame(text, codec.decode(text));
    assertSame(binary, codec.decode(binary));
    assertSame(text, codec.encode(text));
  }

  @Test
  void encodeRefusesNullNamingMessage() {
    assertEquals("message", assertThrows(NullPointerException.class, () -> MessageCodec.text().encode(null)).getMessage());
    assertEquals("message", assertThrows(NullPointerException.class, () -> MessageCodec.binary().encode(null)).getMessage());
  }
}
