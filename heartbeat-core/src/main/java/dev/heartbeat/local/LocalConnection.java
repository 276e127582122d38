package dev.heartbeat.local;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.transport.CloseSignal;
import dev.heartbeat.transport.HandshakeInfo;
import dev.heartbeat.transport.WebSocketConnection;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * One side of a {@link LocalConnectionPair}. Inbound frames are emitted on this side's
 * scheduler by the link that carries them, so the inbound sink has one writer.
 */
final class LocalConnection implements WebSocketConnection {

  private final HandshakeInfo handshake;
  private final Scheduler scheduler;
  private final Sinks.Many<WsFrame> inbound = Sinks.many().unicast().onBackpressureBuffer();
  private final CloseSignal closed = CloseSignal.create();
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean open = true;
  private @Nullable Link outgoing;
  private @Nullable Link incoming;
  private @Nullable LocalConnection peer;

  LocalConnection(HandshakeInfo handshake, Scheduler scheduler) {
    this.handshake = handshake;
    this.scheduler = scheduler;
  }

  void wire(LocalConnection peer, Link outgoing, Link incoming) {
    this.peer = peer;
    this.outgoing = outgoing;
    this.incoming = incoming;
  }

  @Override
  public HandshakeInfo handshakeInfo() {
    return handshake;
  }

  @Override
  public Flux<WsFrame> receive() {
    // Each frame the application takes makes room in the sender's window.
    return inbound.asFlux().doOnNext(frame -> link(incoming).release());
  }

  @Override
  public Mono<Void> send(Publisher<? extends WsFrame> frames) {
    return Mono.create(sink -> frames.subscribe(new WindowedSender(sink)));
  }

  /**
   * Writes one publisher's frames, each only when the link's window has room: a peer whose
   * application does not read backs its sender up, as TCP does.
   */
  private final class WindowedSender implements CoreSubscriber<WsFrame> {
    private final MonoSink<Void> sink;
    private @Nullable Subscription upstream;
    private boolean holdsCredit;
    private boolean done;

    WindowedSender(MonoSink<Void> sink) {
      this.sink = sink;
    }

    @Override
    public void onSubscribe(Subscription s) {
      upstream = s;
      sink.onCancel(() -> {
        s.cancel();
        finish();
      });
      askOne();
    }

    private void askOne() {
      Link link = link(outgoing);
      if (link.acquire(this::granted)) {
        granted();
      }
    }

    private void granted() {
      Subscription s = upstream;
      synchronized (this) {
        if (done) {
          link(outgoing).release();
          return;
        }
        holdsCredit = true;
      }
      if (s != null) {
        s.request(1);
      }
    }

    @Override
    public void onNext(WsFrame frame) {
      synchronized (this) {
        holdsCredit = false;
      }
      RuntimeException refused = null;
      if (frame instanceof WsFrame.Close) {
        refused = new IllegalArgumentException("frames: send a close with close(CloseStatus), not as a frame");
      } else if (!open || closing.get() || !link(outgoing).send(frame)) {
        refused = new IllegalStateException("connection closed");
      }
      if (refused != null) {
        link(outgoing).release();
        Subscription s = upstream;
        if (s != null) {
          s.cancel();
        }
        onError(refused);
        return;
      }
      askOne();
    }

    @Override
    public void onError(Throwable error) {
      if (finish()) {
        sink.error(error);
      }
    }

    @Override
    public void onComplete() {
      if (finish()) {
        sink.success();
      }
    }

    /** Ends this sender once; gives back a credit taken for a frame that never came. */
    private boolean finish() {
      boolean release;
      synchronized (this) {
        if (done) {
          return false;
        }
        done = true;
        release = holdsCredit;
        holdsCredit = false;
      }
      if (release) {
        link(outgoing).release();
      }
      return true;
    }
  }

  @Override
  public Mono<Void> close(CloseStatus status) {
    return Mono.defer(() -> {
      status.requireSendable("status");
      if (closing.compareAndSet(false, true) && open) {
        link(outgoing).send(WsFrame.close(status));
        // The closing handshake's echo is not awaited: this side is closed once it has sent
        // (unless the echo, delivered synchronously, already closed it).
        if (open) {
          link(incoming).onReceiverSide(() -> terminate(status));
        }
      }
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
    return open && !closing.get();
  }

  /** A frame arrived over the incoming link (on this side's scheduler). */
  void accept(WsFrame frame) {
    if (!open) {
      return;
    }
    if (frame instanceof WsFrame.Close close) {
      if (closing.compareAndSet(false, true)) {
        // Echo the close, as RFC 6455 §5.5.1 asks, then report the peer's status.
        link(outgoing).send(frame);
      }
      terminate(close.status());
      return;
    }
    inbound.tryEmitNext(frame);
  }

  /** The connection dropped without a close frame: reported as 1006. */
  void drop() {
    link(incoming).onReceiverSide(() -> terminate(CloseStatus.ABNORMAL));
  }

  private void terminate(CloseStatus status) {
    if (!open) {
      return;
    }
    open = false;
    closing.set(true);
    link(outgoing).wakeWaiting();
    inbound.tryEmitComplete();
    closed.tryEmit(status);
  }

  boolean isTerminated() {
    return !open;
  }

  LocalConnection peer() {
    if (peer == null) {
      throw new IllegalStateException("not wired");
    }
    return peer;
  }

  private static Link link(@Nullable Link link) {
    if (link == null) {
      throw new IllegalStateException("not wired");
    }
    return link;
  }

  @Override
  public String toString() {
    return "LocalConnection[" + handshake.role() + " " + handshake.uri() + (open ? "" : " closed") + "]";
  }
}
