package dev.heartbeat.benchmarks;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.transport.HandshakeInfo;
import dev.heartbeat.transport.Role;
import dev.heartbeat.transport.WebSocketConnection;
import java.net.URI;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A connection with no transport under it: the benchmark pushes inbound frames straight into
 * the subscriber of {@link #receive()}, so what is measured is the heartbeat operator's own
 * inbound path. Outbound frames are requested and discarded; the heartbeat's own frames go to
 * the {@linkplain #frameWriter() frame writer} given at creation, as on both real transports.
 */
final class BenchConnection implements WebSocketConnection {

  private final Scheduler scheduler;
  private final @Nullable Consumer<WsFrame> frameWriter;
  private CoreSubscriber<? super WsFrame> inbound;

  BenchConnection(Scheduler scheduler) {
    this(scheduler, null);
  }

  BenchConnection(Scheduler scheduler, @Nullable Consumer<WsFrame> frameWriter) {
    this.scheduler = scheduler;
    this.frameWriter = frameWriter;
  }

  @Override
  public @Nullable Consumer<WsFrame> frameWriter() {
    return frameWriter;
  }

  /** Delivers {@code frame} as if it had just been read from the socket. */
  void arrive(WsFrame frame) {
    inbound.onNext(frame);
  }

  @Override
  public HandshakeInfo handshakeInfo() {
    return HandshakeInfo.of(Role.SERVER, URI.create("bench:/ws"));
  }

  @Override
  public Flux<WsFrame> receive() {
    return new Flux<>() {
      @Override
      public void subscribe(CoreSubscriber<? super WsFrame> actual) {
        inbound = actual;
        actual.onSubscribe(new Subscription() {
          @Override
          public void request(long n) {
            // the benchmark pushes regardless: demand is the operator's to keep
          }

          @Override
          public void cancel() {
          }
        });
      }
    };
  }

  @Override
  public Mono<Void> send(Publisher<? extends WsFrame> frames) {
    frames.subscribe(new BaseSubscriber<WsFrame>() {
      @Override
      protected void hookOnSubscribe(Subscription subscription) {
        subscription.request(Long.MAX_VALUE);
      }
    });
    return Mono.never();
  }

  @Override
  public Mono<Void> close(CloseStatus status) {
    return Mono.empty();
  }

  @Override
  public Mono<CloseStatus> onClose() {
    return Mono.never();
  }

  @Override
  public Scheduler scheduler() {
    return scheduler;
  }

  @Override
  public boolean isOpen() {
    return true;
  }
}
