package dev.heartbeat;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.transport.HandshakeInfo;
import dev.heartbeat.transport.WebSocketConnection;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/** A connection that forwards everything to another: tests override what they bend. */
public abstract class ForwardingConnection implements WebSocketConnection {
  protected final WebSocketConnection delegate;

  protected ForwardingConnection(WebSocketConnection delegate) {
    this.delegate = delegate;
  }

  @Override
  public HandshakeInfo handshakeInfo() {
    return delegate.handshakeInfo();
  }

  @Override
  public Flux<WsFrame> receive() {
    return delegate.receive();
  }

  @Override
  public Mono<Void> send(Publisher<? extends WsFrame> frames) {
    return delegate.send(frames);
  }

  @Override
  public Mono<Void> close(CloseStatus status) {
    return delegate.close(status);
  }

  @Override
  public Mono<CloseStatus> onClose() {
    return delegate.onClose();
  }

  @Override
  public Scheduler scheduler() {
    return delegate.scheduler();
  }

  @Override
  public boolean isOpen() {
    return delegate.isOpen();
  }
}
