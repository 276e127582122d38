package dev.heartbeat.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The server's frames encoded past Netty's encoder, read back by Netty's own decoder as a client
 * reads them (unmasked frames expected, UTF-8 checked), at each boundary of the length field.
 */
class ServerFrameEncoderTest {

  private static final PooledByteBufAllocator ALLOC = new PooledByteBufAllocator(false);

  @Test
  void textAtEveryLengthBoundaryReadsBackAsTheSameText() {
    for (int length : new int[] {0, 1, 125, 126, 127, 65_535, 65_536, 200_000}) {
      String text = "x".repeat(length);
      TextWebSocketFrame read = assertInstanceOf(TextWebSocketFrame.class, roundTrip(WsFrame.text(text)));
      try {
        assertEquals(length, read.content().readableBytes(), "payload length " + length);
        assertEquals(text, read.text(), "text of length " + length);
      } finally {
        read.release();
      }
    }
  }

  @Test
  void textIsEncodedAsUtf8WhateverItsCharacters() {
    String text = "héllo € \uD83D\uDE00 " + "ü".repeat(70); // 2-, 3- and 4-byte sequences; 140+ bytes
    TextWebSocketFrame read = assertInstanceOf(TextWebSocketFrame.class, roundTrip(WsFrame.text(text)));
    try {
      assertEquals(text.getBytes(StandardCharsets.UTF_8).length, read.content().readableBytes());
      assertEquals(text, read.text());
    } finally {
      read.release();
    }
  }

  @Test
  void binaryPingAndPongKeepTheirKindAndPayload() {
    byte[] small = {1, 2, 3};
    byte[] large = new byte[70_000];
    Arrays.fill(large, (byte) 7);
    assertPayload(BinaryWebSocketFrame.class, large, roundTrip(WsFrame.binary(large)));
    assertPayload(BinaryWebSocketFrame.class, new byte[0], roundTrip(WsFrame.binary(new byte[0])));
    assertPayload(PingWebSocketFrame.class, small, roundTrip(WsFrame.ping(small)));
    assertPayload(PongWebSocketFrame.class, new byte[125], roundTrip(WsFrame.pong(new byte[125])));
  }

  @Test
  void theEmptyPingIsTheTwoSharedBytesAndSurvivesEveryWrite() {
    for (int i = 0; i < 3; i++) {
      ByteBuf ping = ServerFrameEncoder.encode(ALLOC, WsFrame.ping());
      assertArrayEquals(new byte[] {(byte) 0x89, 0x00}, ByteBufUtil.getBytes(ping));
      ping.release(); // as a write does: the shared bytes stay
    }
    assertPayload(PingWebSocketFrame.class, new byte[0], roundTrip(WsFrame.ping()));
  }

  @Test
  void everyFrameIsFinalAndUnmasked() {
    ByteBuf text = ServerFrameEncoder.encode(ALLOC, WsFrame.text("hi"));
    try {
      assertEquals(0x81, text.getUnsignedByte(0), "FIN, no RSV bits, opcode 1");
      assertEquals(2, text.getUnsignedByte(1), "no mask bit, length 2");
    } finally {
      text.release();
    }
  }

  @Test
  void aCloseFrameIsRefusedForCloseToSend() {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> ServerFrameEncoder.encode(ALLOC, WsFrame.close(CloseStatus.NORMAL)));
    assertTrue(refused.getMessage().contains("close(CloseStatus)"), refused.getMessage());
  }

  /** Encodes {@code frame} and decodes it as a client would, checking nothing is left over. */
  private static WebSocketFrame roundTrip(WsFrame frame) {
    WebSocketDecoderConfig config = WebSocketDecoderConfig.newBuilder()
        .expectMaskedFrames(false)
        .allowMaskMismatch(false)
        .maxFramePayloadLength(1 << 20)
        .withUTF8Validator(true)
        .build();
    EmbeddedChannel client = new EmbeddedChannel(new WebSocket08FrameDecoder(config));
    try {
      client.writeInbound(ServerFrameEncoder.encode(ALLOC, frame));
      WebSocketFrame read = client.readInbound();
      assertTrue(read != null && read.isFinalFragment() && read.rsv() == 0, "one final frame, no RSV bits: " + read);
      Object second = client.readInbound();
      assertNull(second, "a second frame");
      return read;
    } finally {
      client.finishAndReleaseAll();
    }
  }

  private static void assertPayload(Class<? extends WebSocketFrame> kind, byte[] expected, WebSocketFrame read) {
    try {
      assertInstanceOf(kind, read);
      assertArrayEquals(expected, ByteBufUtil.getBytes(read.content()));
    } finally {
      read.release();
    }
  }
}
