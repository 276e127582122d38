package dev.heartbeat.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WsFrameTest {

  @Test
  void binaryCopiesThePayloadOnTheWayIn() {
    byte[] source = {1, 2, 3};
    WsFrame.Binary frame = WsFrame.binary(source);
    source[0] = 9;
    assertArrayEquals(new byte[] {1, 2, 3}, frame.bytes());
  }

  @Test
  void binaryCopiesThePayloadOnTheWayOut() {
    WsFrame.Binary frame = WsFrame.binary(new byte[] {1, 2, 3});
    frame.bytes()[0] = 9;
    assertArrayEquals(new byte[] {1, 2, 3}, frame.bytes());
    assertEquals(3, frame.length());
  }

  @Test
  void pingCopiesThePayloadBothWays() {
    byte[] source = {4, 5};
    WsFrame.Ping frame = WsFrame.ping(source);
    source[0] = 9;
    frame.payload()[1] = 9;
    assertArrayEquals(new byte[] {4, 5}, frame.payload());
  }

  @Test
  void pongCopiesThePayloadBothWays() {
    byte[] source = {4, 5};
    WsFrame.Pong frame = WsFrame.pong(source);
    source[0] = 9;
    frame.payload()[1] = 9;
    assertArrayEquals(new byte[] {4, 5}, frame.payload());
  }

  @Test
  void theBufferViewsShowEachPayloadAndCannotChangeIt() {
    for (WsFrame frame : new WsFrame[] {
        WsFrame.binary(new byte[] {1, 2, 3}), WsFrame.ping(new byte[] {1, 2, 3}), WsFrame.pong(new byte[] {1, 2, 3})}) {
      ByteBuffer view = frame instanceof WsFrame.Binary b ? b.asByteBuffer()
          : frame instanceof WsFrame.Ping p ? p.asByteBuffer() : ((WsFrame.Pong) frame).asByteBuffer();
      assertTrue(view.isReadOnly(), frame + " read-only");
      byte[] read = new byte[view.remaining()];
      view.get(read);
      assertArrayEquals(new byte[] {1, 2, 3}, read, frame + " payload");
      assertThrows(ReadOnlyBufferException.class, () -> view.put(0, (byte) 9));
    }
    assertEquals(0, WsFrame.ping().asByteBuffer().remaining());
  }

  @Test
  void anEmptyPingOrPongIsOneSharedFrame() {
    assertSame(WsFrame.ping(), WsFrame.ping(new byte[0]));
    assertSame(WsFrame.pong(new byte[0]), WsFrame.pong(new byte[0]));
    assertNotSame(WsFrame.pong(new byte[] {1}), WsFrame.pong(new byte[] {1}));
    assertEquals(0, WsFrame.pong(new byte[0]).payload().length);
    assertThrows(NullPointerException.class, () -> WsFrame.pong(null));
  }

  @Test
  void emptyPingHasAnEmptyPayload() {
    assertEquals(0, WsFrame.ping().payload().length);
    assertEquals(WsFrame.ping(), WsFrame.ping(new byte[0]));
  }

  @Test
  void controlPayloadOver125BytesIsRefusedNamingPayload() {
    IllegalArgumentException ping = assertThrows(IllegalArgumentException.class, () -> WsFrame.ping(new byte[126]));
    IllegalArgumentException pong = assertThrows(IllegalArgumentException.class, () -> WsFrame.pong(new byte[126]));
    assertTrue(ping.getMessage().startsWith("payload:"), ping.getMessage());
    assertTrue(pong.getMessage().startsWith("payload:"), pong.getMessage());
    assertTrue(ping.getMessage().contains("126"), ping.getMessage());
  }

  @Test
  void controlPayloadOfExactly125BytesIsAccepted() {
    assertEquals(125, WsFrame.ping(new byte[125]).payload().length);
    assertEquals(125, WsFrame.pong(new byte[125]).payload().length);
  }

  @Test
  void binaryPayloadIsNotLimitedLikeControlPayloads() {
    assertEquals(1000, WsFrame.binary(new byte[1000]).length());
  }

  @Test
  void nullPayloadsAreRefusedNamingTheField() {
    NullPointerException text = assertThrows(NullPointerException.class, () -> WsFrame.text(null));
    NullPointerException binary = assertThrows(NullPointerException.class, () -> WsFrame.binary(null));
    NullPointerException close = assertThrows(NullPointerException.class, () -> WsFrame.close(null));
    assertEquals("text", text.getMessage());
    assertEquals("bytes", binary.getMessage());
    assertEquals("status", close.getMessage());
  }

  @Test
  void framesAreEqualByKindAndContent() {
    assertEquals(WsFrame.text("a"), WsFrame.text("a"));
    assertEquals(WsFrame.text("a").hashCode(), WsFrame.text("a").hashCode());
    assertNotEquals(WsFrame.text("a"), WsFrame.text("b"));

    assertEquals(WsFrame.binary(new byte[] {1, 2}), WsFrame.binary(new byte[] {1, 2}));
    assertEquals(WsFrame.binary(new byte[] {1, 2}).hashCode(), WsFrame.binary(new byte[] {1, 2}).hashCode());
    assertNotEquals(WsFrame.binary(new byte[] {1, 2}), WsFrame.binary(new byte[] {2, 1}));

    assertEquals(WsFrame.ping(new byte[] {7}), WsFrame.ping(new byte[] {7}));
    assertEquals(WsFrame.ping(new byte[] {7}).hashCode(), WsFrame.ping(new byte[] {7}).hashCode());
    assertEquals(WsFrame.pong(new byte[] {7}), WsFrame.pong(new byte[] {7}));
    assertEquals(WsFrame.pong(new byte[] {7}).hashCode(), WsFrame.pong(new byte[] {7}).hashCode());

    assertEquals(WsFrame.close(CloseStatus.of(4000, "a")), WsFrame.close(CloseStatus.of(4000, "b")));
    assertNotEquals(WsFrame.close(CloseStatus.NORMAL), WsFrame.close(CloseStatus.GOING_AWAY));
  }

  @Test
  void framesOfDifferentKindsAreNeverEqual() {
    byte[] same = {7};
    assertNotEquals(WsFrame.ping(same), WsFrame.pong(same));
    assertNotEquals(WsFrame.pong(same), WsFrame.ping(same));
    assertNotEquals(WsFrame.binary(same), WsFrame.ping(same));
    assertNotEquals(WsFrame.ping(same).hashCode(), WsFrame.pong(same).hashCode());
    assertNotEquals(WsFrame.text("7"), WsFrame.binary("7".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void onlyPingPongAndCloseAreControlFrames() {
    assertFalse(WsFrame.text("x").isControl());
    assertFalse(WsFrame.binary(new byte[] {1}).isControl());
    assertTrue(WsFrame.ping().isControl());
    assertTrue(WsFrame.pong(new byte[0]).isControl());
    assertTrue(WsFrame.close(CloseStatus.NORMAL).isControl());
  }

  @Test
  void toStringOfByteFramesShowsTheSizeNotTheBytes() {
    assertEquals("Binary[3 bytes]", WsFrame.binary(new byte[] {1, 2, 3}).toString());
    assertEquals("Ping[0 bytes]", WsFrame.ping().toString());
    assertEquals("Pong[2 bytes]", WsFrame.pong(new byte[2]).toString());
  }
  @Test
  void aTextReadAsUtf8IsTheSameFrameAsTheTextItCarries() {
    for (String text : new String[] {"", "hello", "exactly8", "sixteen bytes!!!", "caf\u00e9 \u2603 \uD83D\uDE00 end"}) {
      byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
      WsFrame.Text read = WsFrame.textFromUtf8(ByteBuffer.wrap(utf8));
      WsFrame.Text made = WsFrame.text(text);
      assertEquals(text, read.text());
      assertEquals(made, read);
      assertEquals(made.hashCode(), read.hashCode());
      assertEquals(made.toString(), read.toString());
      assertEquals(ByteBuffer.wrap(utf8), read.asByteBuffer(), "written out as the bytes it was read from");
      assertEquals(ByteBuffer.wrap(utf8), made.asByteBuffer(), "a text made from a String is written as its UTF-8");
      assertEquals(utf8.length, made.asByteBuffer().remaining());
      assertEquals(utf8.length, read.asByteBuffer().remaining());
      assertTrue(WsFrame.Text.isUtf8(ByteBuffer.wrap(utf8)));
    }
  }

  @Test
  void aNonAsciiByteIsFoundWhereverItIsInTheMessage() {
    // The ASCII check reads 32 bytes at a time, then 8, then the rest one by one: put a
    // two-byte character at every position of messages across those boundaries.
    for (int length = 1; length <= 41; length++) {
      for (int at = 0; at < length; at++) {
        String text = "a".repeat(at) + "\u00e9" + "b".repeat(length - at - 1);
        WsFrame.Text read = WsFrame.textFromUtf8(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        assertEquals(text, read.text(), "length " + length + ", at " + at);
      }
    }
  }

  @Test
  void malformedUtf8IsRefusedNamingTheField() {
    byte[][] malformed = {
        {(byte) 0xC3, 0x28}, // a lead byte followed by ASCII
        {'o', 'k', (byte) 0xC0, (byte) 0xAF}, // an overlong '/'
        {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a surrogate, which UTF-8 may not carry
        {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', (byte) 0xE2, (byte) 0x98}, // cut short after the first eight
    };
    for (byte[] bytes : malformed) {
      IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
          () -> WsFrame.textFromUtf8(ByteBuffer.wrap(bytes)));
      assertTrue(error.getMessage().startsWith("utf8: not well-formed UTF-8"), error.getMessage());
      assertFalse(WsFrame.Text.isUtf8(ByteBuffer.wrap(bytes)), "the same check, for a transport that decodes itself");
    }
    NullPointerException none = assertThrows(NullPointerException.class, () -> WsFrame.textFromUtf8(null));
    assertEquals("utf8", none.getMessage());
  }

  @Test
  void framesFromABufferCopyItsRemainingBytesOnceAndLeaveItsPosition() {
    ByteBuffer buffer = ByteBuffer.wrap("xxhi!".getBytes(StandardCharsets.US_ASCII));
    buffer.position(2);
    WsFrame.Text text = WsFrame.textFromUtf8(buffer);
    WsFrame.Binary binary = WsFrame.binaryFrom(buffer);
    assertTrue(WsFrame.Text.isUtf8(buffer));
    assertEquals(2, buffer.position());
    buffer.put(2, (byte) 'H');
    assertEquals("hi!", text.text(), "the frame holds a copy");
    assertArrayEquals(new byte[] {'h', 'i', '!'}, binary.bytes());
    assertThrows(ReadOnlyBufferException.class, () -> text.asByteBuffer().put(0, (byte) 'x'));
    NullPointerException none = assertThrows(NullPointerException.class, () -> WsFrame.binaryFrom(null));
    assertEquals("payload", none.getMessage());
  }
}
