package dev.heartbeat.vertx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.frame.WsFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The carrier on its own, in an embedded channel standing in for Vert.x's pipeline. */
class ControlFrameCarrierTest {

  private final List<EmbeddedChannel> channels = new ArrayList<>();

  @AfterEach
  void closeChannels() {
    channels.forEach(channel -> channel.finishAndReleaseAll());
  }

  /** A channel whose handler named "handler" stands for Vert.x's, with a client's carrier installed before it. */
  private ControlFrameCarrier carrierIn(EmbeddedChannel channel) {
    return carrierIn(channel, false);
  }

  private ControlFrameCarrier carrierIn(EmbeddedChannel channel, boolean server) {
    channels.add(channel);
    channel.pipeline().addLast("handler", new ChannelInboundHandlerAdapter());
    ChannelHandlerContext vertx = channel.pipeline().context("handler");
    ControlFrameCarrier carrier = ControlFrameCarrier.install(vertx, server);
    assertEquals(List.of(ControlFrameCarrier.NAME, "handler"), channel.pipeline().names().subList(0, 2));
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
    ControlFrameCarrier carrier = carrierIn(channel);
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
    carrierIn(channel);
    TextWebSocketFrame text = new TextWebSocketFrame("hello");
    BinaryWebSocketFrame binary = new BinaryWebSocketFrame(bytes("data"));
    channel.writeInbound(text, binary);
    assertSame(text, channel.readInbound());
    assertSame(binary, channel.readInbound());
  }

  @Test
  void onlyItsOwnCarriersAreUnwrapped() {
    EmbeddedChannel channel = new EmbeddedChannel();
    ControlFrameCarrier carrier = carrierIn(channel);
    ControlFrameCarrier other = carrierIn(new EmbeddedChannel());
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
  void pingsAndPongsTheCoreWritesGoStraightDownThePipelineOtherFramesAreLeftToVertx() {
    EmbeddedChannel channel = new EmbeddedChannel();
    ControlFrameCarrier carrier = carrierIn(channel);

    assertTrue(carrier.writeControl(WsFrame.ping("p1".getBytes(StandardCharsets.UTF_8))));
    assertTrue(carrier.writeControl(WsFrame.pong(new byte[0])));
    PingWebSocketFrame ping = channel.readOutbound();
    PongWebSocketFrame pong = channel.readOutbound();
    assertEquals("p1", ping.content().toString(StandardCharsets.UTF_8));
    assertEquals(0, pong.content().readableBytes());
    ping.release();
    pong.release();

    assertFalse(carrier.writeControl(WsFrame.text("hb")), "a text heartbeat is a message: Vert.x writes it");
    assertNull(channel.readOutbound());
  }

  @Test
  void aServersEmptyPingGoesOutAsItsTwoBytesEveryTimeAndAClientsAsAFrameToMask() {
    EmbeddedChannel serverChannel = new EmbeddedChannel();
    ControlFrameCarrier server = carrierIn(serverChannel, true);
    for (int i = 0; i < 2; i++) {
      assertTrue(server.writeControl(WsFrame.ping()));
      ByteBuf written = serverChannel.readOutbound();
      assertEquals("8900", ByteBufUtil.hexDump(written), "FIN, opcode 9, unmasked, no payload");
      written.release(); // what the socket does once written: the shared bytes stay whole
    }
    assertTrue(server.writeControl(WsFrame.ping(new byte[] {1})));
    PingWebSocketFrame withPayload = serverChannel.readOutbound();
    assertEquals(1, withPayload.content().readableBytes(), "a ping with a payload is encoded as ever");
    withPayload.release();

    EmbeddedChannel clientChannel = new EmbeddedChannel();
    ControlFrameCarrier client = carrierIn(clientChannel, false);
    assertTrue(client.writeControl(WsFrame.ping()));
    PingWebSocketFrame masked = clientChannel.readOutbound();
    assertEquals(0, masked.content().readableBytes(), "a client's ping goes to the encoder, which masks it");
    masked.release();
  }

  @Test
  void aCarrierOutOfThePipelineWritesNothing() {
    EmbeddedChannel channel = new EmbeddedChannel();
    ControlFrameCarrier carrier = carrierIn(channel);
    channel.pipeline().remove(ControlFrameCarrier.NAME);
    assertFalse(carrier.writeControl(WsFrame.ping()));
    assertNull(channel.readOutbound());
  }

  @Test
  void aChannelAlreadyGoneGetsNoCarrier() {
    EmbeddedChannel channel = new EmbeddedChannel();
    channels.add(channel);
    channel.pipeline().addLast("handler", new ChannelInboundHandlerAdapter());
    ChannelHandlerContext vertx = channel.pipeline().context("handler");
    channel.pipeline().remove("handler");
    ControlFrameCarrier.install(vertx, true);
    assertNull(channel.pipeline().get(ControlFrameCarrier.NAME));
  }
}
