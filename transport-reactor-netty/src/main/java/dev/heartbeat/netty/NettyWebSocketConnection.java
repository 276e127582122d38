package dev.heartbeat.netty;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.transport.CloseSignal;
import dev.heartbeat.transport.HandshakeInfo;
import dev.heartbeat.transport.InboundRelay;
import dev.heartbeat.transport.LoopFrameWriter;
import dev.heartbeat.transport.Role;
import dev.heartbeat.transport.WebSocketConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * A Reactor Netty WebSocket as the core's {@link WebSocketConnection}: Netty frames become
 * {@link WsFrame}s (payloads copied, buffers left to Reactor Netty, which releases them) and back.
 *
 * <p>How it keeps the SPI's promises on Reactor Netty:
 * <ul>
 *   <li>Frames are read with {@code receiveFrames()}, never {@code receive().asString()},
 *       which would turn pongs into messages; pings reach it because the endpoint is set up
 *       with {@code handlePing(true)}. Fragments are joined by Netty's frame aggregator, up to
 *       the spec's maximum.</li>
 *   <li>Reactor Netty's inbound is subscribed once, here, and never cancelled: cancelling it
 *       sends an empty close frame, so the peer would read 1005 instead of the status of
 *       {@link #close(CloseStatus)}. Close frames go out through {@code sendClose(code, reason)},
 *       which marks the close as sent before anything else can send one.</li>
 *   <li>The status is the first known of: the one this side sent, the peer's close frame (read
 *       by the {@code ProtocolGuard} on its way to Reactor Netty, 1005 when it had no code), the
 *       one a protocol violation closed with (1009 for an oversized frame or message, 1007,
 *       1002); 1006 when the channel closed without any.</li>
 *   <li>A close frame that cannot be written (the peer stopped reading, its TCP window is full,
 *       and the frames queued before the close wait forever) drops the connection after the
 *       spec's {@code closeTimeout}, so that closing a slow consumer frees it; the status this
 *       side sent is still the one reported.</li>
 *   <li>A connection closed for a protocol error (an oversized frame or message) reads on
 *       until its peer closes, at most {@link #LINGER}, so that its close frame is not lost to a
 *       TCP reset; see {@code ProtocolGuard}.</li>
 *   <li>A server's frames are written encoded, past Netty's frame encoder
 *       ({@link ServerFrameEncoder}), except the data frames of a server that may compress
 *       them; a client's go through the encoder, which masks them.</li>
 *   <li>{@link #scheduler()} runs on the channel's event loop, one instance per loop.</li>
 * </ul>
 */
final class NettyWebSocketConnection implements WebSocketConnection {

  /** Frames read ahead of the application. */
  static final int PREFETCH = 32;

  private static final String GUARD = "heartbeat.protocolGuard";

  private static final byte[] NO_BYTES = new byte[0];

  private static final AtomicReferenceFieldUpdater<NettyWebSocketConnection, CloseStatus> STATUS =
      AtomicReferenceFieldUpdater.newUpdater(NettyWebSocketConnection.class, CloseStatus.class, "status");
  private static final AtomicIntegerFieldUpdater<NettyWebSocketConnection> CLOSE_REQUESTED =
      AtomicIntegerFieldUpdater.newUpdater(NettyWebSocketConnection.class, "closeRequested");

  /** How long a connection closed for a protocol error waits for its peer to close. */
  static final Duration LINGER = Duration.ofSeconds(1);

  private final WebsocketOutbound outbound;
  private final Channel channel;
  private final HandshakeInfo handshake;
  private final EventLoopScheduler scheduler;
  private final int maxMessageLength;
  private final Duration closeTimeout;
  private final InboundRelay<WebSocketFrame> inbound;
  private final LoopFrameWriter frameWriter;
  private final boolean server;
  /** Whether data frames are compressed (per-message deflate), which takes frame objects. */
  private final boolean compress;
  // Plain volatile fields behind static updaters, not atomic objects: a server holds thousands.
  private volatile @Nullable CloseStatus status;
  private volatile int closeRequested;
  /**
   * The peer broke the protocol (a frame or message too big, bad UTF-8 ...): the close lingers
   * (see {@link ProtocolGuard}) and nothing more is read. On the event loop only.
   */
  private boolean violated;
  /**
   * Emitted once a close is sent, received or detected, before the channel is closed: from then
   * on nothing is written, and the sends under way ({@link FrameSend}) end. Only whether it was
   * emitted counts; the status the connection reports is {@link #closed}'s.
   */
  private final CloseSignal closing = CloseSignal.create();
  private final CloseSignal closed = CloseSignal.create();

  private NettyWebSocketConnection(WebsocketOutbound out, Channel channel, HandshakeInfo handshake, int maxMessageLength,
      Duration closeTimeout, boolean compress) {
    this.outbound = out;
    this.channel = channel;
    this.handshake = handshake;
    this.scheduler = EventLoopScheduler.of(channel.eventLoop());
    this.maxMessageLength = maxMessageLength;
    this.closeTimeout = closeTimeout;
    // Nothing to do on cancel: the relay reads on, dropping, and never cancels Reactor Netty.
    // A read error ends the stream; the close status (1006, 1009 ...) says what happened.
    this.inbound = InboundRelay.completingOnError(PREFETCH, this::admit, () -> { });
    this.frameWriter = new LoopFrameWriter(channel.eventLoop()::inEventLoop, channel.eventLoop(), this::writeNow);
    this.server = handshake.role() == Role.SERVER;
    this.compress = compress;
  }

  /**
   * Wraps an upgraded Reactor Netty WebSocket, and starts reading it. The frame aggregator must
   * be in the pipeline already (see {@link NettyServerTransport} and {@link NettyClientTransport}).
   */
  static NettyWebSocketConnection wrap(
      WebsocketInbound in, WebsocketOutbound out, HandshakeInfo handshake, NettyWebSocketSpec spec) {
    Channel[] channel = new Channel[1];
    in.withConnection(c -> channel[0] = c.channel());
    NettyWebSocketConnection connection = new NettyWebSocketConnection(out, Objects.requireNonNull(channel[0], "channel"),
        handshake, spec.maxFramePayloadLength(), spec.closeTimeout(), spec.compress());
    connection.start(in);
    return connection;
  }

  private void start(WebsocketInbound in) {
    // The guard also reads the peer's close frame, on its way to Reactor Netty: that is cheaper
    // than subscribing to receiveCloseStatus(), a race of two sinks held for the connection's life.
    ProtocolGuard guard = new ProtocolGuard();
    in.withConnection(c -> c.addHandlerLast(GUARD, guard));
    channel.closeFuture().addListener(guard);
    in.receiveFrames().subscribe(inbound);
  }


  /** The channel under this connection, for the transports and tests of this package. */
  Channel channel() {
    return channel;
  }

  // ------------------------------------------------------------------ the SPI

  @Override
  public HandshakeInfo handshakeInfo() {
    return handshake;
  }

  @Override
  public Flux<WsFrame> receive() {
    return inbound;
  }

  @Override
  public Mono<Void> send(Publisher<? extends WsFrame> frames) {
    Objects.requireNonNull(frames, "frames");
    return FrameSend.mono(this, outbound, frames);
  }

  /** The connection's closing, for the sends under way to end with. */
  CloseSignal closing() {
    return closing;
  }

  /**
   * Writes through the channel, as Reactor Netty's own sends do, and flushes: a heartbeat is one
   * frame on its own. A close frame marks the connection closing before it is written, so a frame
   * that finds the connection open here goes out before it.
   */
  @Override
  public Consumer<WsFrame> frameWriter() {
    return frameWriter;
  }

  private void writeNow(WsFrame frame) {
    if (isOpen()) {
      channel.writeAndFlush(toWire(frame));
    }
  }

  /**
   * What is written for {@code frame}: a server's frames encoded once, past Netty's frame encoder
   * (see {@link ServerFrameEncoder}), except data frames that per-message deflate may compress;
   * a client's as Netty frames, which its encoder masks.
   */
  Object toWire(WsFrame frame) {
    return server && (!compress || frame.isControl()) ? ServerFrameEncoder.encode(channel.alloc(), frame) : toNetty(frame);
  }

  @Override
  public Mono<Void> close(CloseStatus status) {
    Objects.requireNonNull(status, "status");
    return Mono.defer(() -> {
      sendClose(status.requireSendable("status"));
      return closed.then();
    });
  }

  @Override
  public Mono<CloseStatus> onClose() {
    return closed;
  }

  @Override
  public void whenClosed(Consumer<? super CloseStatus> callback) {
    closed.whenClosed(callback);
  }

  @Override
  public Scheduler scheduler() {
    return scheduler;
  }

  @Override
  public boolean isOpen() {
    return closing.status() == null && channel.isActive();
  }

  @Override
  public String toString() {
    return "NettyWebSocketConnection[" + handshake.role() + " " + handshake.uri() + " " + channel
        + (isOpen() ? "" : " closed") + "]";
  }

  // ------------------------------------------------------------------ closing

  /**
   * Sends {@code status} unless a close was already sent or received. Reactor Netty's
   * {@code sendClose} marks the close as sent before it writes, so no empty close frame can
   * overtake it, and closes the channel once the frame is written. The frame waits behind what
   * was queued before it; if it is not written within {@code closeTimeout} (a peer that does not
   * read), the channel is closed without it.
   */
  private void sendClose(CloseStatus status) {
    if (!CLOSE_REQUESTED.compareAndSet(this, 0, 1)) {
      return;
    }
    record(status);
    outbound.sendClose(status.code(), status.reason()).subscribe(null, error -> channel.close());
    try {
      ScheduledFuture<?> drop = channel.eventLoop().schedule(() -> {
        channel.close();
      }, closeTimeout.toNanos(), TimeUnit.NANOSECONDS);
      channel.closeFuture().addListener(f -> drop.cancel(false));
    } catch (RejectedExecutionException shuttingDown) {
      channel.close();
    }
  }

  /** A close status is known (sent, received, or a protocol violation's); the first one counts. */
  private void record(CloseStatus closeStatus) {
    STATUS.compareAndSet(this, null, closeStatus);
    signalClosing();
  }

  private void signalClosing() {
    closing.tryEmit(statusSoFar());
  }

  /** The status recorded first, or 1006 when the connection ended without one. */
  private CloseStatus statusSoFar() {
    CloseStatus known = status;
    return known != null ? known : CloseStatus.ABNORMAL;
  }

  private void onChannelClosed() {
    signalClosing();
    // Netty's decoder writes its close frame (1009 ...) and closes the channel before it throws
    // the error that says why: report once the event loop has run that far.
    try {
      channel.eventLoop().execute(this::reportClosed);
    } catch (RejectedExecutionException shuttingDown) {
      reportClosed();
    }
  }

  private void reportClosed() {
    closed.tryEmit(statusSoFar());
  }

  IllegalStateException closedError() {
    CloseStatus known = status;
    return new IllegalStateException("connection closed" + (known == null ? "" : " with " + known));
  }

  /**
   * Sees the protocol errors of Netty's decoder and aggregator. The decoder has already sent its
   * close frame (1009 for an oversized frame, 1007 for bad UTF-8, 1002) when the error arrives,
   * so the status is recorded; the aggregator only reports an oversized message, so this side
   * closes with 1009.
   *
   * <p>After such an error, the rest of the offending message is still unread in the socket, and
   * closing a socket with unread bytes makes the kernel send a reset, which can destroy the close
   * frame before the peer reads it. So the channel is not closed at once: it sends its FIN after
   * the close frame, reads (and drops) what the peer still sends, and closes when the peer does,
   * or after {@link #LINGER}.
   */
  private final class ProtocolGuard extends ChannelDuplexHandler implements ChannelFutureListener {

    /** The channel closed (this guard listens to its close future too: one object less per connection). */
    @Override
    public void operationComplete(ChannelFuture closeFuture) {
      onChannelClosed();
    }

    /** The peer's close frame, recorded before Reactor Netty answers it. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof CloseWebSocketFrame close && close.isFinalFragment()) {
        int code = close.statusCode();
        record(code == -1 ? CloseStatus.NO_STATUS : CloseStatus.received(code, close.reasonText()));
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof CorruptedWebSocketFrameException corrupted) {
        violated = true;
        WebSocketCloseStatus sent = corrupted.closeStatus();
        String reason = corrupted.getMessage() != null ? corrupted.getMessage() : sent.reasonText();
        CloseStatus status = CloseStatus.received(sent.code(), reason);
        record(status);
        if (decoderCannotEncode(ctx) && ctx.channel().isActive()) {
          // On a client pipeline Netty puts its frame encoder after its decoder, so the close
          // frame the decoder wrote never reached the wire: send it through the encoder.
          ctx.writeAndFlush(new CloseWebSocketFrame(status.code(), status.reason()));
        }
        ctx.fireExceptionCaught(cause);
      } else if (cause instanceof TooLongFrameException) {
        violated = true;
        sendClose(CloseStatus.TOO_BIG.withReason("message larger than " + maxMessageLength + " bytes"));
      } else {
        ctx.fireExceptionCaught(cause);
      }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
      if (!ctx.channel().isActive()) {
        ctx.close(promise);
        return;
      }
      // The decoder closes before it throws the error that says why: decide once it has.
      ctx.executor().execute(() -> {
        if (violated && ctx.channel() instanceof DuplexChannel duplex && ctx.channel().isActive()) {
          linger(ctx, duplex, promise);
        } else {
          ctx.close(promise);
        }
      });
    }

    /** Whether the frame encoder sits after the decoder, out of reach of the decoder's writes. */
    private boolean decoderCannotEncode(ChannelHandlerContext ctx) {
      int decoder = -1;
      int encoder = -1;
      int i = 0;
      for (Map.Entry<String, ChannelHandler> entry : ctx.pipeline()) {
        if (entry.getValue() instanceof WebSocketFrameDecoder) {
          decoder = i;
        } else if (entry.getValue() instanceof WebSocketFrameEncoder) {
          encoder = i;
        }
        i++;
      }
      return decoder >= 0 && encoder > decoder;
    }

    private void linger(ChannelHandlerContext ctx, DuplexChannel channel, ChannelPromise promise) {
      ScheduledFuture<?> deadline = ctx.executor().schedule(() -> {
        ctx.close(promise);
      }, LINGER.toMillis(), TimeUnit.MILLISECONDS);
      channel.closeFuture().addListener(f -> {
        deadline.cancel(false);
        promise.trySuccess();
      });
      channel.config().setAutoRead(true);
      channel.shutdownOutput();
      channel.read();
    }
  }

  // ------------------------------------------------------------------ frame mapping

  /**
   * The core's frame for one the peer sent, or {@code null}. A text message that is not UTF-8
   * (which Reactor Netty does not check) is dropped and answered with 1007, RFC 6455 §8.1, and
   * nothing after it is read: the frame never reaches the application.
   */
  private @Nullable WsFrame admit(WebSocketFrame frame) {
    if (violated) {
      return null;
    }
    try {
      return toCore(frame);
    } catch (IllegalArgumentException notUtf8) {
      violated = true;
      sendClose(WsFrame.Text.NOT_UTF8);
      return null;
    }
  }

  /**
   * The core's frame for a Netty frame, its payload copied; {@code null} for frames it skips.
   *
   * @throws IllegalArgumentException for a text frame that is not UTF-8
   */
  static @Nullable WsFrame toCore(WebSocketFrame frame) {
    ByteBuf content = frame.content();
    if (frame instanceof TextWebSocketFrame) {
      return WsFrame.textFromUtf8(readable(content));
    }
    if (frame instanceof BinaryWebSocketFrame) {
      return WsFrame.binaryFrom(readable(content));
    }
    if (frame instanceof PingWebSocketFrame) {
      return WsFrame.ping(controlPayload(content));
    }
    if (frame instanceof PongWebSocketFrame) {
      return WsFrame.pong(controlPayload(content));
    }
    // Close frames are handled by Reactor Netty; continuations are joined by the aggregator.
    return null;
  }

  /**
   * The readable bytes of {@code content} as a buffer to copy from at once: the buffer's own
   * NIO view when it has one (no object made), a new one for a composite.
   */
  static ByteBuffer readable(ByteBuf content) {
    return content.nioBufferCount() == 1
        ? content.internalNioBuffer(content.readerIndex(), content.readableBytes())
        : content.nioBuffer();
  }

  /** A control frame's payload; the usual empty one allocates nothing (see {@link WsFrame#pong(byte[])}). */
  private static byte[] controlPayload(ByteBuf content) {
    return content.isReadable() ? ByteBufUtil.getBytes(content) : NO_BYTES;
  }

  /**
   * The Netty frame for a core frame: what a client writes, and a compressing server's data
   * frames. Payloads are wrapped read-only, not copied: the encoder and the compressor only read.
   */
  static WebSocketFrame toNetty(WsFrame frame) {
    if (frame instanceof WsFrame.Text text) {
      return new TextWebSocketFrame(Unpooled.wrappedBuffer(text.asByteBuffer()));
    }
    if (frame instanceof WsFrame.Binary binary) {
      return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(binary.asByteBuffer()));
    }
    if (frame instanceof WsFrame.Ping ping) {
      return new PingWebSocketFrame(Unpooled.wrappedBuffer(ping.asByteBuffer()));
    }
    if (frame instanceof WsFrame.Pong pong) {
      return new PongWebSocketFrame(Unpooled.wrappedBuffer(pong.asByteBuffer()));
    }
    throw new IllegalArgumentException("frames: send a close with close(CloseStatus), not as a frame");
  }

  /** Netty's headers as the core's: names lower-cased, values in order. */
  static Map<String, List<String>> headers(HttpHeaders headers) {
    // As CharSequences: Netty's names are AsciiStrings, which keep the String they are asked for.
    Iterable<Map.Entry<CharSequence, CharSequence>> pairs = headers::iteratorCharSequence;
    return HandshakeInfo.headersOf(pairs);
  }
}
