package dev.heartbeat.vertx;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.transport.CloseSignal;
import dev.heartbeat.transport.HandshakeInfo;
import dev.heartbeat.transport.InboundRelay;
import dev.heartbeat.transport.LoopFrameWriter;
import dev.heartbeat.transport.WebSocketConnection;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.http.WebSocketInternal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.Scannable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.concurrent.Queues;

/**
 * A Vert.x {@link WebSocket} (server or client side) as the core's {@link WebSocketConnection}.
 *
 * <p><b>Threading.</b> Everything that touches the WebSocket runs on its context: Vert.x calls
 * the handlers there, and writes, closes and timers hop there when asked from elsewhere (or run
 * at once when already there). The state below marked "context only" needs no lock.
 *
 * <p><b>Inbound.</b> The WebSocket is paused and fetched from Vert.x through an
 * {@link InboundRelay}, as on Reactor Netty: at most {@link #PREFETCH} frames ahead of the
 * subscriber of {@link #receive()}, so a slow reader stops the socket and, through TCP, the
 * peer, and the heartbeat operator reads the relay in place ({@link InboundRelay#intercept}), a
 * hop per frame less than a relay of its own behind this one. The relay's demand goes to Vert.x
 * in batches, once what Vert.x still holds falls to {@link #FETCH_LOW}: each {@code fetch} costs
 * an event-loop task. Text and binary messages are
 * delivered whole: fragments are joined up to {@code maxMessageSize}, and a fragment that
 * completes no message is fetched again. Pings and pongs are delivered too, in arrival order,
 * and each takes one frame of the demand.
 *
 * <p><b>Outbound.</b> On an event loop context, every frame is written past Vert.x's
 * {@code WebSocket}, straight into the channel pipeline ({@link FrameBypass}): a text keeps its
 * UTF-8 (a text read here is written out again without being decoded), and what is written
 * during a read is flushed once at its end. Writers wait while the channel is over its
 * high-water mark. On a worker context, frames go through Vert.x's {@code WebSocket} and its
 * write queue.
 *
 * <p><b>Pings.</b> Vert.x would answer every ping itself, before the frame reaches any handler,
 * with no switch to stop it; a {@link FrameBypass} in the channel pipeline hands it the
 * pings and pongs disguised as binary frames instead, so that only the core answers them, at
 * its bounded rate. It is installed on the event loop before Vert.x reads a frame, unless the
 * connection's context is a worker's: a ping read before then has been answered by Vert.x
 * already (the core may answer it again: a pong nobody asked for is allowed, RFC 6455 §5.5.3)
 * and, like a pong read then, takes no demand.
 *
 * <p><b>Close.</b> The status reported is the one this side sent when it closed first, the
 * peer's when the peer did (1005 when its frame was empty), the 1009 (or 1007, 1002) this side
 * sent when the peer's frame broke a limit or the protocol, and 1006 when the TCP connection
 * ended without any of those. A close handshake the peer does not finish within
 * {@code closeTimeout} ends with the TCP connection dropped, so a silent peer's socket is
 * released before a client reconnects.
 */
final class VertxWebSocketConnection implements WebSocketConnection {

  /** Frames read ahead of the application, as on Reactor Netty. */
  static final int PREFETCH = 32;
  /**
   * The demand left with Vert.x at or under which the relay's requests are passed on, in one
   * {@code fetch}: Vert.x runs an event-loop task for every {@code fetch}, whatever its amount,
   * which at one per frame was a task per message.
   */
  static final int FETCH_LOW = PREFETCH / 4;
  /** Frames a writer has requested and not yet written, at most. */
  static final int WRITE_WINDOW = 32;
  /** Written frames after which a writer requests as many again (75%, as {@code limitRate}). */
  private static final int WRITE_REPLENISH = WRITE_WINDOW - WRITE_WINDOW / 4;

  private final WebSocket ws;
  private final ContextInternal context;
  private final ContextScheduler scheduler;
  private final int maxFrameSize;
  private final int maxMessageSize;
  private final long closeTimeoutMillis;
  /** Keeps what owns the socket reachable (a client's {@code WebSocketClient}). */
  @SuppressWarnings({"unused", "FieldCanBeLocal"})
  private final @Nullable Object owner;
  private volatile @Nullable HandshakeInfo handshake;
  private final LoopFrameWriter frameWriter;

  // Fed on the context only. Nothing to do when its subscriber cancels: it asks for everything
  // then (fetch(Long.MAX_VALUE)), so frames are read and dropped and the close frame behind them
  // is still seen.
  private final InboundRelay<WsFrame> inbound = InboundRelay.create(PREFETCH, Function.identity(), () -> { });
  private final CloseSignal closed = CloseSignal.create();
  /** False once a close was sent, received or detected. */
  private volatile boolean open = true;
  /** How often a writer waited for Vert.x's write queue to drain (written on the context). */
  private volatile int drainWaits;
  /** How often Vert.x was asked for frames (written on the context). */
  private volatile int fetches;

  // Context only.
  /**
   * Frames the relay asked for and Vert.x was not asked for yet; below zero when frames that
   * took none of Vert.x's demand reached the relay first (see {@link #onFrame}).
   */
  private long owed;
  /** Frames Vert.x was asked for and has not delivered yet, once {@link #onDemand}. */
  private long granted;
  /** Whether the WebSocket is paused, reading only what is fetched. */
  private boolean onDemand;
  private @Nullable Buffer message;
  private boolean messageIsText;
  /** A text message was not UTF-8: closed with 1007, and no data frame is read after it. */
  private boolean violated;
  /** Unwraps the pings and pongs carried past Vert.x and writes past it; null until it is installed. */
  private @Nullable FrameBypass bypass;
  private final Set<Writer> writers = new LinkedHashSet<>();
  private final List<Writer> waitingForDrain = new ArrayList<>();
  private @Nullable CloseStatus sent;
  private @Nullable CloseStatus refused;
  private @Nullable CloseStatus received;
  private boolean ended;
  private long closeTimer = -1;

  private VertxWebSocketConnection(WebSocket ws, ContextInternal context, VertxWebSocketOptions options,
      @Nullable Object owner) {
    this.ws = ws;
    this.context = context;
    this.scheduler = ContextScheduler.of(context);
    this.maxMessageSize = options.maxMessageSize();
    this.maxFrameSize = options.maxFrameSize();
    this.closeTimeoutMillis = Math.max(1, options.closeTimeout().toMillis());
    this.owner = owner;
    this.frameWriter = new LoopFrameWriter(context::inThread, task -> context.runOnContext(ignored -> task.run()),
        this::writeNow);
    inbound.onSubscribe(new Reads());
  }

  /**
   * A server WebSocket just accepted; call on its context (in the {@code ServerWebSocket}
   * handler), before returning to Vert.x.
   */
  static VertxWebSocketConnection accepted(ServerWebSocket ws, ContextInternal context, VertxWebSocketOptions options) {
    VertxWebSocketConnection connection = new VertxWebSocketConnection(ws, context, options, null);
    connection.attach();
    connection.bypassVertx(true);
    connection.readOnDemand();
    connection.handshake = Handshakes.server(ws.scheme(), ws.authority(), ws.uri(), ws.localAddress(),
        ws.headers(), ws.subProtocol(), ws.remoteAddress());
    return connection;
  }

  /**
   * A client WebSocket about to connect: its handlers are in place before the first frame can
   * arrive. Call {@link #opened} once connected.
   */
  static VertxWebSocketConnection connecting(ClientWebSocket ws, ContextInternal context, VertxWebSocketOptions options,
      Object owner) {
    VertxWebSocketConnection connection = new VertxWebSocketConnection(ws, context, options, owner);
    connection.attach();
    return connection;
  }

  /** The client's handshake completed (on the context): from now on, read only on demand. */
  VertxWebSocketConnection opened(HandshakeInfo handshake) {
    bypassVertx(false);
    readOnDemand();
    this.handshake = handshake;
    return this;
  }

  private void attach() {
    ws.frameHandler(this::onFrame);
    ws.exceptionHandler(this::onError);
    ws.closeHandler(ignored -> onTransportClosed());
    ws.drainHandler(ignored -> onDrain());
  }

  /** From now on the WebSocket reads only what the relay asks for: what it asked for already first. */
  private void readOnDemand() {
    ws.pause();
    onDemand = true;
    fetchOwed();
  }

  /**
   * The relay's demand, passed to Vert.x on the context. It is never cancelled: the relay reads
   * on, dropping, after its subscriber cancels.
   */
  private final class Reads implements Subscription {
    @Override
    public void request(long n) {
      onContext(() -> fetch(n));
    }

    @Override
    public void cancel() {
    }
  }

  private void fetch(long n) {
    owed = n == Long.MAX_VALUE || owed == Long.MAX_VALUE ? Long.MAX_VALUE : owed + n;
    if (granted <= FETCH_LOW || owed == Long.MAX_VALUE) {
      fetchOwed();
    }
  }

  /** Passes what the relay asked for on to Vert.x, once the WebSocket reads on demand. */
  private void fetchOwed() {
    if (onDemand && owed > 0) {
      fetches++; // only this context writes it
      ws.fetch(owed);
      granted = Operators.addCap(granted, owed);
      owed = 0;
    }
  }

  /**
   * Counts a frame Vert.x handed over. One that took a unit of Vert.x's demand leaves Vert.x
   * holding less: what the relay asked for meanwhile is passed on once that is little, whether
   * or not the relay asks again. One that took none (the WebSocket was not paused yet, as a
   * client's first frames can arrive, or a ping or pong Vert.x fetched one more for itself)
   * stands for a frame the relay will ask for: its request is not passed on. Either way a frame
   * that does not reach the relay asks for one more ({@link #fragmentConsumed}).
   */
  private void counted(WebSocketFrameType type) {
    boolean tookDemand = onDemand && type != WebSocketFrameType.PING && type != WebSocketFrameType.PONG;
    if (!tookDemand) {
      if (owed != Long.MAX_VALUE) {
        owed--;
      }
    } else if (granted != Long.MAX_VALUE && granted > 0) {
      granted--;
      if (granted <= FETCH_LOW) {
        fetchOwed();
      }
    }
  }

  /**
   * From now on pings and pongs pass Vert.x unanswered, as carriers, and frames are written past
   * it on the event loop: see {@link FrameBypass}.
   */
  private void bypassVertx(boolean server) {
    // On a worker context the event loop is not the context: the drain hops there.
    bypass = FrameBypass.install(channel(), server, maxFrameSize, () -> onContext(this::onDrain));
  }

  // ------------------------------------------------------------------ the SPI

  @Override
  public HandshakeInfo handshakeInfo() {
    return Objects.requireNonNull(handshake, "not connected yet");
  }

  @Override
  public Flux<WsFrame> receive() {
    return inbound;
  }

  @Override
  public Mono<Void> send(Publisher<? extends WsFrame> frames) {
    Objects.requireNonNull(frames, "frames");
    return Mono.create(sink -> {
      Writer writer = new Writer(sink);
      sink.onCancel(() -> onContext(writer::cancelled));
      onContext(() -> writer.start(frames));
    });
  }

  /** Writes on the context, past the writers' queues: a heartbeat is one small frame on its own. */
  @Override
  public Consumer<WsFrame> frameWriter() {
    return frameWriter;
  }

  private void writeNow(WsFrame frame) {
    if (!writable()) {
      return;
    }
    try {
      write(frame);
    } catch (IllegalStateException closedMeanwhile) {
      // the close is reported through onClose
    }
    flushBypass();
  }

  @Override
  public Mono<Void> close(CloseStatus status) {
    Objects.requireNonNull(status, "status");
    return Mono.defer(() -> {
      status.requireSendable("status");
      onContext(() -> initiateClose(status));
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
    return open && !ws.isClosed();
  }

  /** Drops the TCP connection without a close frame, as a crash would: both sides see 1006. */
  void abort() {
    onContext(() -> {
      if (!ended) {
        open = false;
        channel().close();
      }
    });
  }

  /** How often a writer waited for the peer to read: proof of write backpressure, for tests. */
  int drainWaits() {
    return drainWaits;
  }

  /** How often Vert.x was asked for frames: proof that the relay's demand goes in batches, for tests. */
  int fetches() {
    return fetches;
  }

  /** Frames read from Vert.x that the subscriber of {@link #receive()} has not asked for yet, for tests. */
  int framesAheadOfDemand() {
    return Objects.requireNonNull(Scannable.from(inbound).scan(Scannable.Attr.BUFFERED), "the relay's buffer");
  }

  @Override
  public String toString() {
    HandshakeInfo info = handshake;
    return "VertxWebSocketConnection[" + (info == null ? "connecting" : info.role() + " " + info.uri())
        + (open ? "" : " closed") + "]";
  }

  // ------------------------------------------------------------------ inbound, on the context

  private void onFrame(WebSocketFrame frame) {
    if (ended) {
      return;
    }
    counted(frame.type());
    FrameBypass past = bypass;
    WsFrame carried = past == null ? null : past.unwrap(frame);
    if (carried != null) {
      emit(carried);
      return;
    }
    if (violated && (frame.isText() || frame.isBinary() || frame.isContinuation())) {
      fragmentConsumed();
      return;
    }
    switch (frame.type()) {
      case TEXT:
      case BINARY:
        if (frame.binaryData().length() > maxMessageSize) {
          // Only an inflated frame (permessage-deflate) can be larger than maxFrameSize here.
          message = null;
          refuseTooBig();
          fragmentConsumed();
        } else if (frame.isFinal()) {
          emitMessage(frame.isText(), frame.binaryData());
        } else {
          message = frame.binaryData().copy();
          messageIsText = frame.type() == WebSocketFrameType.TEXT;
          fragmentConsumed();
        }
        break;
      case CONTINUATION:
        onContinuation(frame);
        break;
      case PING: // read before the bypass was in place (a worker context), and answered by Vert.x
        emit(WsFrame.ping(frame.binaryData().getBytes()));
        break;
      case PONG:
        emit(WsFrame.pong(frame.binaryData().getBytes()));
        break;
      case CLOSE:
        received = peerStatus(frame.binaryData());
        open = false;
        armCloseTimer();
        break;
      default:
        break;
    }
  }

  private void onContinuation(WebSocketFrame frame) {
    Buffer partial = message;
    if (partial == null) {
      fragmentConsumed(); // the rest of a message already refused as too big
      return;
    }
    partial.appendBuffer(frame.binaryData());
    if (partial.length() > maxMessageSize) {
      message = null;
      refuseTooBig();
      fragmentConsumed();
    } else if (frame.isFinal()) {
      message = null;
      emitMessage(messageIsText, partial);
    } else {
      fragmentConsumed();
    }
  }

  private void refuseTooBig() {
    initiateClose(CloseStatus.of(CloseStatus.TOO_BIG.code(), "message over " + maxMessageSize + " bytes"));
  }

  /** A data frame completed no message (a fragment, or one dropped): none reaches the relay, so ask for one more. */
  private void fragmentConsumed() {
    fetch(1);
  }

  /**
   * A whole text or binary message. Vert.x does not check a text message's UTF-8: one that is
   * not is dropped and answered with 1007, RFC 6455 §8.1, and no data frame is read after it.
   */
  private void emitMessage(boolean text, Buffer payload) {
    if (!text) {
      emit(WsFrame.binaryFrom(readable(payload)));
      return;
    }
    // The frame keeps the UTF-8 it was read from, as on Reactor Netty: the bypass writes those
    // bytes again, where Vert.x's String had to be decoded and then encoded.
    WsFrame.Text checked;
    try {
      checked = WsFrame.textFromUtf8(readable(payload));
    } catch (IllegalArgumentException notUtf8) {
      violated = true;
      initiateClose(WsFrame.Text.NOT_UTF8);
      fragmentConsumed();
      return;
    }
    emit(checked);
  }

  /**
   * The bytes of {@code payload} as a buffer to read from at once, without copying them: the
   * core copies them once into the frame ({@code getBytes()} and the frame's own copy made two).
   */
  private static ByteBuffer readable(Buffer payload) {
    return ((BufferInternal) payload).getByteBuf().nioBuffer();
  }

  private void emit(WsFrame frame) {
    inbound.onNext(frame); // after the subscriber cancelled, dropped
  }

  private static CloseStatus peerStatus(Buffer payload) {
    if (payload.length() < 2) {
      return CloseStatus.NO_STATUS;
    }
    String reason = payload.length() == 2 ? "" : payload.getString(2, payload.length(), "UTF-8");
    return CloseStatus.received(payload.getUnsignedShort(0), reason);
  }

  /**
   * Vert.x reports a frame over {@code maxFrameSize}, or bad UTF-8, or a protocol breach, here,
   * then drops the connection without a close frame (the peer would read 1006). Written first,
   * straight to the channel so that it is flushed before the drop: the close frame with the
   * status Netty chose (1009, 1007, 1002), as Netty itself does when it closes on a violation.
   */
  private void onError(Throwable error) {
    if (ended || !(error instanceof CorruptedWebSocketFrameException corrupted)) {
      return; // a reset or a failed write: the close handler follows
    }
    if (sent != null || refused != null) {
      return;
    }
    int code = corrupted.closeStatus().code();
    CloseStatus status = CloseStatus.isSendable(code)
        ? CloseStatus.of(code, fit(corrupted.getMessage(), corrupted.closeStatus().reasonText()))
        : CloseStatus.PROTOCOL_ERROR;
    refused = status;
    open = false;
    channel().writeAndFlush(new CloseWebSocketFrame(status.code(), status.reason()));
  }

  private static String fit(@Nullable String message, String fallback) {
    String reason = message == null ? fallback : message;
    return reason.getBytes(StandardCharsets.UTF_8).length <= CloseStatus.MAX_REASON_BYTES ? reason : fallback;
  }

  private void onTransportClosed() {
    open = false;
    if (ended) {
      return;
    }
    // Frames held back by the pause (the peer's close frame among them) come through first,
    // then the connection ends: both tasks run on this context's event loop, in this order.
    ws.fetch(Long.MAX_VALUE);
    context.runOnContext(ignored -> finish());
  }

  private void finish() {
    if (ended) {
      return;
    }
    ended = true;
    open = false;
    cancelCloseTimer();
    message = null;
    CloseStatus status = sent != null ? sent : refused != null ? refused : received != null ? received : reportedByVertx();
    List<Writer> pending = new ArrayList<>(writers);
    writers.clear();
    waitingForDrain.clear();
    pending.forEach(writer -> writer.fail(closedError()));
    inbound.onComplete();
    closed.tryEmit(status);
  }

  /** A close frame Vert.x saw but the frame handler did not (it never came through): as Vert.x reports it. */
  private CloseStatus reportedByVertx() {
    // closeStatusCode() unboxes a null while the socket is open (Vert.x 5.0.10): ask isClosed() first.
    Short code = ws.isClosed() ? ws.closeStatusCode() : null;
    if (code == null || code == CloseStatus.ABNORMAL.code()) {
      return CloseStatus.ABNORMAL;
    }
    return CloseStatus.received(code & 0xFFFF, ws.closeReason());
  }

  // ------------------------------------------------------------------ close, on the context

  private void initiateClose(CloseStatus status) {
    if (ended || sent != null || refused != null || received != null) {
      return;
    }
    if (ws.isClosed()) {
      return; // the peer's close came first (Vert.x has answered it) or the socket is gone
    }
    sent = status;
    open = false;
    ws.close((short) status.code(), status.reason());
    armCloseTimer();
  }

  private void armCloseTimer() {
    if (closeTimer >= 0) {
      return;
    }
    closeTimer = context.setTimer(closeTimeoutMillis, id -> {
      closeTimer = -1;
      if (!ended) {
        channel().close(); // the peer did not finish the closing handshake: drop the socket
      }
    });
  }

  private void cancelCloseTimer() {
    if (closeTimer >= 0) {
      context.owner().cancelTimer(closeTimer);
      closeTimer = -1;
    }
  }

  /**
   * The context of Vert.x's handler in the WebSocket's channel pipeline: a close here sends no
   * close frame.
   */
  ChannelHandlerContext channel() {
    return ((WebSocketInternal) ws).channelHandlerContext();
  }

  // ------------------------------------------------------------------ outbound, on the context

  private boolean writable() {
    return !ended && sent == null && refused == null && received == null && !ws.isClosed();
  }

  private void onDrain() {
    if (waitingForDrain.isEmpty()) {
      return;
    }
    List<Writer> resumed = new ArrayList<>(waitingForDrain);
    waitingForDrain.clear();
    resumed.forEach(Writer::resume);
  }

  /**
   * Writes {@code frame} past Vert.x when the bypass can (on the event loop; flushed by
   * {@link #flushBypass} or at the end of the read under way), else through Vert.x's
   * {@code WebSocket}. Returns whether what it went into is now full: the channel over its
   * high-water mark, or Vert.x's write queue.
   *
   * @throws IllegalStateException when Vert.x's {@code WebSocket} closed meanwhile
   */
  private boolean write(WsFrame frame) {
    FrameBypass past = bypass;
    if (past != null && past.write(frame)) {
      return !past.channelWritable();
    }
    if (frame instanceof WsFrame.Text text) {
      ws.writeTextMessage(text.text());
    } else if (frame instanceof WsFrame.Binary binary) {
      ws.writeBinaryMessage(Buffer.buffer(binary.bytes()));
    } else if (frame instanceof WsFrame.Ping ping) {
      ws.writePing(Buffer.buffer(ping.payload()));
    } else if (frame instanceof WsFrame.Pong pong) {
      ws.writePong(Buffer.buffer(pong.payload()));
    }
    return ws.writeQueueFull();
  }

  /** Flushes what the bypass wrote, unless a read is under way (see {@link FrameBypass#flush}). */
  private void flushBypass() {
    FrameBypass past = bypass;
    if (past != null) {
      past.flush();
    }
  }

  private void onContext(Runnable task) {
    if (context.inThread()) {
      task.run();
    } else {
      context.runOnContext(ignored -> task.run());
    }
  }

  private static IllegalStateException closedError() {
    return new IllegalStateException("connection closed");
  }

  /**
   * Writes one publisher's frames as they come, requesting them {@link #WRITE_WINDOW} at a time
   * like {@code limitRate}: written frames are requested again only while the channel (or, off
   * the event loop, Vert.x's write queue) has room, else once it drains, so a slow peer stops
   * the publisher (frames already requested are still written: at most a window beyond the
   * high-water mark), and in a new event-loop task, so no publisher holds the loop for more than
   * a window. Signals hop to the context, so frames of one publisher stay in order and frames of
   * concurrent publishers interleave whole. What one pass writes is flushed once, at its end.
   */
  private final class Writer extends BaseSubscriber<WsFrame> {
    private final MonoSink<Void> sink;
    /**
     * Signals in arrival order, written on the context by one drain at a time. The publisher may
     * signal from any thread, and on the context too (when a request made there finds frames
     * already buffered): running those at once while earlier ones still wait in the context's
     * task queue would reorder the frames.
     */
    private final Queue<WsFrame> pending = Queues.<WsFrame>unbounded(WRITE_WINDOW).get();
    private final AtomicInteger wip = new AtomicInteger();
    private volatile boolean terminated;
    private volatile @Nullable Throwable terminalError;
    // Context only.
    private boolean done;
    private boolean waiting;
    private int written;

    Writer(MonoSink<Void> sink) {
      this.sink = sink;
    }

    void start(Publisher<? extends WsFrame> frames) {
      if (done) {
        return;
      }
      if (!writable()) {
        done = true;
        sink.error(closedError());
        return;
      }
      writers.add(this);
      frames.subscribe(this);
    }

    @Override
    protected void hookOnSubscribe(Subscription subscription) {
      subscription.request(WRITE_WINDOW);
    }

    @Override
    protected void hookOnNext(WsFrame frame) {
      if (wip.get() == 0 && context.inThread()) {
        // Nothing pending and no pass under way or scheduled (the publisher's signals come one
        // at a time, each after the last one's): the frame goes out at once, without the hop
        // through the queue. An echo on the event loop always takes this path.
        writeOne(frame);
        flushBypass();
        return;
      }
      pending.offer(frame);
      signal();
    }

    @Override
    protected void hookOnComplete() {
      terminated = true;
      signal();
    }

    @Override
    protected void hookOnError(Throwable error) {
      terminalError = error;
      terminated = true;
      signal();
    }

    private void signal() {
      if (wip.getAndIncrement() == 0) {
        onContext(this::drain);
      }
    }

    /** On the context: writes what is pending, in order, then ends if the publisher did. */
    private void drain() {
      int missed = 1;
      do {
        WsFrame frame;
        while ((frame = pending.poll()) != null) {
          writeOne(frame);
        }
        flushBypass();
        if (terminated && pending.isEmpty()) {
          Throwable error = terminalError;
          if (error != null) {
            fail(error);
          } else if (!done) {
            done = true;
            writers.remove(this);
            sink.success();
          }
        }
        missed = wip.addAndGet(-missed);
      } while (missed != 0);
    }

    private void writeOne(WsFrame frame) {
      if (done) {
        return;
      }
      if (frame instanceof WsFrame.Close) {
        fail(new IllegalArgumentException("frames: send a close with close(CloseStatus), not as a frame"));
        return;
      }
      if (!writable()) {
        fail(closedError());
        return;
      }
      boolean full;
      try {
        full = write(frame);
      } catch (IllegalStateException closedMeanwhile) {
        fail(closedError());
        return;
      }
      written++;
      if (full) {
        if (!waiting) {
          waiting = true;
          waitingForDrain.add(this);
          drainWaits++; // only this context writes it
        }
      } else if (!waiting && written >= WRITE_REPLENISH) {
        replenish();
      }
    }

    /** Vert.x's write queue drained, or the channel takes writes again. */
    void resume() {
      waiting = false;
      if (!done && written > 0) {
        replenish();
      }
    }

    /**
     * Requests as many frames as were written, in a task of its own: a publisher that emits at
     * once (a range, a big list) then writes a window per event-loop task, never the whole
     * stream in one, so the loop keeps serving its other sockets.
     */
    private void replenish() {
      int n = written;
      written = 0;
      context.runOnContext(ignored -> {
        if (!done) {
          request(n);
        }
      });
    }

    void fail(Throwable error) {
      if (done) {
        return;
      }
      done = true;
      writers.remove(this);
      waitingForDrain.remove(this);
      cancel();
      sink.error(error);
    }

    void cancelled() {
      if (done) {
        return;
      }
      done = true;
      writers.remove(this);
      waitingForDrain.remove(this);
      cancel();
    }
  }
}
