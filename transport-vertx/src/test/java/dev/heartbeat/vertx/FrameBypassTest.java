package dev.heartbeat.vertx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.ReferenceCountUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bypass on its own, in an embedded channel standing in for Vert.x's pipeline. */
class FrameBypassTest {

  private static final int MAX_FRAME_SIZE = 125;

  private final List<EmbeddedChannel> channels = new ArrayList<>();
  private final AtomicInteger writableAgain = new AtomicInteger();

  @AfterEach
  void closeChannels() {
    channels.forEach(channel -> channel.finishAndReleaseAll());
  }

  /** A channel whose handler named "handler" stands for Vert.x's, with a client's bypass installed before it. */
  private FrameBypass bypassIn(EmbeddedChannel channel) {
    return bypassIn(channel, false);
  }

  private FrameBypass bypassIn(EmbeddedChannel channel, boolean server) {
    return bypassIn(channel, server, new ChannelInboundHandlerAdapter());
  }

  private FrameBypass bypassIn(EmbeddedChannel channel, boolean server, ChannelHandler vertxHandler) {
    channels.add(channel);
    channel.pipeline().addLast("handler", vertxHandler);
    ChannelHandlerContext vertx = channel.pipeline().context("handler");
    FrameBypass carrier = FrameBypass.install(vertx, server, MAX_FRAME_SIZE, writableAgain::incrementAndGet);
    assertEquals(List.of(FrameBypass.NAME, "handler"), channel.pipeline().names().subList(0, 2));
    return carrier;
  }

  /** What Vert.x makes of a binary frame that reaches its handler. */
  private static WebSocketFrame asVertx(BinaryWebSocketFrame frame) {
    try {
      return WebSocketFrame.binaryFrame(Buffer.buffer(ByteBufUtil.getBytes(frame.content())), frame.isFinalFragment());
    } finally {
      frame.release();
    }
  }

  private static ByteBuf bytes(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
  }

  @Test
  void pingsAndPongsReachVertxAsBinaryFramesAndAreUnwrappedAsTheyCame() {
    EmbeddedChannel channel = new EmbeddedChannel();
    FrameBypass carrier = bypassIn(channel);
    PingWebSocketFrame ping = new PingWebSocketFrame(bytes("p1"));
    PongWebSocketFrame pong = new PongWebSocketFrame(bytes("p2"));
    PingWebSocketFrame empty = new PingWebSocketFrame(Unpooled.EMPTY_BUFFER);
    channel.writeInbound(ping, pong, empty);

    assertEquals(WsFrame.ping("p1".getBytes(StandardCharsets.UTF_8)), carrier.unwrap(asVertx(channel.readInbound())));
    assertEquals(WsFrame.pong("p2".getBytes(StandardCharsets.UTF_8)), carrier.unwrap(asVertx(channel.readInbound())));
    assertEquals(WsFrame.ping(new byte[0]), carrier.unwrap(asVertx(channel.readInbound())));
    assertNull(channel.readInbound(), "one carrier per control frame");
    assertEquals(0, ping.refCnt(), "the ping it carried is released");
    assertEquals(0, pong.refCnt(), "the pong it carried is released");
  }

  @Test
  void otherFramesPassUntouched() {
    EmbeddedChannel channel = new EmbeddedChannel();
    bypassIn(channel);
    TextWebSocketFrame text = new TextWebSocketFrame("hello");
    BinaryWebSocketFrame binary = new BinaryWebSocketFrame(bytes("data"));
    channel.writeInbound(text, binary);
    assertSame(text, channel.readInbound());
    assertSame(binary, channel.readInbound());
  }

  @Test
  void onlyItsOwnCarriersAreUnwrapped() {
    EmbeddedChannel channel = new EmbeddedChannel();
    FrameBypass carrier = bypassIn(channel);
    FrameBypass other = bypassIn(new EmbeddedChannel());
    channel.writeInbound(new PingWebSocketFrame(bytes("p1")));
    BinaryWebSocketFrame carried = channel.readInbound();
    byte[] layout = ByteBufUtil.getBytes(carried.content());
    WebSocketFrame asVertx = asVertx(carried);

    assertNull(other.unwrap(asVertx), "another connection's secret");
    byte[] forged = layout.clone();
    forged[0] ^= 1;
    assertNull(carrier.unwrap(WebSocketFrame.binaryFrame(Buffer.buffer(forged), true)), "a binary message of the same layout");
    assertNull(carrier.unwrap(WebSocketFrame.binaryFrame(Buffer.buffer(layout), false)), "a fragment is never a carrier");
    assertNull(carrier.unwrap(WebSocketFrame.textFrame("p1", true)));
    assertInstanceOf(WsFrame.Ping.class, carrier.unwrap(asVertx));
  }

  @Test
  void everyFrameTheCoreWritesGoesStraightDownThePipelineAndOutAtTheFlush() {
    EmbeddedChannel channel = new EmbeddedChannel();
    FrameBypass bypass = bypassIn(channel);

    assertTrue(bypass.write(WsFrame.ping("p1".getBytes(StandardCharsets.UTF_8))));
    assertTrue(bypass.write(WsFrame.pong(new byte[0])));
    assertTrue(bypass.write(WsFrame.textFromUtf8(ByteBuffer.wrap("h\u00e9".getBytes(StandardCharsets.UTF_8)))));
    assertTrue(bypass.write(WsFrame.binary(new byte[] {1, 2})));
    assertNull(channel.readOutbound(), "nothing is flushed before flush()");
    bypass.flush();

    PingWebSocketFrame ping = channel.readOutbound();
    PongWebSocketFrame pong = channel.readOutbound();
    TextWebSocketFrame text = channel.readOutbound();
    BinaryWebSocketFrame binary = channel.readOutbound();
    assertEquals("p1", ping.content().toString(StandardCharsets.UTF_8));
    assertEquals(0, pong.content().readableBytes());
    assertEquals("h\u00e9", text.text(), "the text's own UTF-8, in order after the control frames");
    assertEquals("0102", ByteBufUtil.hexDump(binary.content()));
    List.of(ping, pong, text, binary).forEach(ReferenceCountUtil::release);

    assertFalse(bypass.write(WsFrame.close(CloseStatus.NORMAL)), "a close goes out with Vert.x's close");
    bypass.flush();
    assertNull(channel.readOutbound());
  }

  @Test
  void aMessageOverMaxFrameSizeGoesOutInFragmentsOfThatSizeAsVertxWritesIt() {
    EmbeddedChannel channel = new EmbeddedChannel();
    FrameBypass bypass = bypassIn(channel, true);
    byte[] bytes = new byte[2 * MAX_FRAME_SIZE + 50];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
    }
    assertTrue(bypass.write(WsFrame.binary(bytes)));
    assertTrue(bypass.write(WsFrame.text("x".repeat(MAX_FRAME_SIZE))));
    bypass.flush();

    List<io.netty.handler.codec.http.websocketx.WebSocketFrame> written = new ArrayList<>();
    for (Object frame; (frame = channel.readOutbound()) != null; ) {
      written.add((io.netty.handler.codec.http.websocketx.WebSocketFrame) frame);
    }
    assertEquals(List.of("BinaryWebSocketFrame", "ContinuationWebSocketFrame", "ContinuationWebSocketFrame",
        "TextWebSocketFrame"), written.stream().map(f -> f.getClass().getSimpleName()).toList());
    assertEquals(List.of(false, false, true, true), written.stream().map(f -> f.isFinalFragment()).toList());
    assertEquals(List.of(MAX_FRAME_SIZE, MAX_FRAME_SIZE, 50, MAX_FRAME_SIZE),
        written.stream().map(f -> f.content().readableBytes()).toList(), "a message of exactly the size is one frame");
    byte[] joined = new byte[bytes.length];
    int at = 0;
    for (var frame : written.subList(0, 3)) {
      int n = frame.content().readableBytes();
      frame.content().getBytes(frame.content().readerIndex(), joined, at, n);
      at += n;
    }
    assertArrayEquals(bytes, joined);
    written.forEach(ReferenceCountUtil::release);
  }

  @Test
  void whatIsWrittenDuringAReadIsFlushedOnceAtItsEndAfterVertxsOwnReadComplete() {
    EmbeddedChannel channel = new EmbeddedChannel();
    List<String> seenAtReadComplete = new ArrayList<>();
    FrameBypass[] bypass = new FrameBypass[1];
    ChannelInboundHandlerAdapter echo = new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        TextWebSocketFrame in = (TextWebSocketFrame) msg;
        bypass[0].write(WsFrame.text(in.text())); // as the connection's writer does, inside the read
        bypass[0].flush();
        in.release();
      }

      @Override
      public void channelReadComplete(ChannelHandlerContext ctx) {
        seenAtReadComplete.add(channel.outboundMessages().size() + " out");
      }
    };
    bypass[0] = bypassIn(channel, true, echo);

    channel.pipeline().fireChannelRead(new TextWebSocketFrame("a"));
    channel.pipeline().fireChannelRead(new TextWebSocketFrame("b"));
    channel.runPendingTasks();
    assertTrue(channel.outboundMessages().isEmpty(), "flush() waits for the read to end");

    channel.pipeline().fireChannelReadComplete();
    assertEquals(List.of("0 out"), seenAtReadComplete, "Vert.x's read end runs first");
    assertEquals("a", ((TextWebSocketFrame) channel.readOutbound()).text());
    assertEquals("b", ((TextWebSocketFrame) channel.readOutbound()).text());

    assertTrue(bypass[0].write(WsFrame.text("c")));
    bypass[0].flush();
    TextWebSocketFrame afterTheRead = channel.readOutbound();
    assertEquals("c", afterTheRead.text(), "outside a read, flush() flushes at once");
    afterTheRead.release();
  }

  @Test
  void aChannelThatTakesWritesAgainIsReportedAfterVertxHeardOfIt() {
    EmbeddedChannel channel = new EmbeddedChannel();
    List<Integer> reportedWhenVertxHeard = new ArrayList<>();
    FrameBypass bypass = bypassIn(channel, true, new ChannelInboundHandlerAdapter() {
      @Override
      public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        reportedWhenVertxHeard.add(writableAgain.get());
      }
    });
    channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
    assertTrue(bypass.channelWritable());

    assertTrue(bypass.write(WsFrame.binary(new byte[64]))); // not flushed: counts as pending
    assertFalse(bypass.channelWritable(), "over the high-water mark");
    assertEquals(0, writableAgain.get(), "going over the mark is not reported");

    bypass.flush(); // the embedded channel takes it all
    assertTrue(bypass.channelWritable());
    assertEquals(1, writableAgain.get());
    assertEquals(List.of(0, 0), reportedWhenVertxHeard, "Vert.x hears of each change before the writers do");
    ReferenceCountUtil.release(channel.readOutbound());
  }

  @Test
  void aServersEmptyPingGoesOutAsItsTwoBytesEveryTimeAndAClientsAsAFrameToMask() {
    EmbeddedChannel serverChannel = new EmbeddedChannel();
    FrameBypass server = bypassIn(serverChannel, true);
    for (int i = 0; i < 2; i++) {
      assertTrue(server.write(WsFrame.ping()));
      server.flush();
      ByteBuf written = serverChannel.readOutbound();
      assertEquals("8900", ByteBufUtil.hexDump(written), "FIN, opcode 9, unmasked, no payload");
      written.release(); // what the socket does once written: the shared bytes stay whole
    }
    assertTrue(server.write(WsFrame.ping(new byte[] {1})));
    server.flush();
    PingWebSocketFrame withPayload = serverChannel.readOutbound();
    assertEquals(1, withPayload.content().readableBytes(), "a ping with a payload is encoded as ever");
    withPayload.release();

    EmbeddedChannel clientChannel = new EmbeddedChannel();
    FrameBypass client = bypassIn(clientChannel, false);
    assertTrue(client.write(WsFrame.ping()));
    client.flush();
    PingWebSocketFrame masked = clientChannel.readOutbound();
    assertEquals(0, masked.content().readableBytes(), "a client's ping goes to the encoder, which masks it");
    masked.release();
  }

  @Test
  void aBypassOutOfThePipelineWritesNothing() {
    EmbeddedChannel channel = new EmbeddedChannel();
    FrameBypass bypass = bypassIn(channel);
    channel.pipeline().remove(FrameBypass.NAME);
    assertFalse(bypass.write(WsFrame.ping()));
    assertFalse(bypass.write(WsFrame.text("t")));
    assertNull(channel.readOutbound());
  }

  @Test
  void aChannelAlreadyGoneGetsNoBypass() {
    EmbeddedChannel channel = new EmbeddedChannel();
    channels.add(channel);
    channel.pipeline().addLast("handler", new ChannelInboundHandlerAdapter());
    ChannelHandlerContext vertx = channel.pipeline().context("handler");
    channel.pipeline().remove("handler");
    FrameBypass.install(vertx, true, MAX_FRAME_SIZE, writableAgain::incrementAndGet);
    assertNull(channel.pipeline().get(FrameBypass.NAME));
  }
}
