package dev.heartbeat.reconnect;

import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.transport.WebSocketConnection;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * The seam between a {@link ReconnectingSession}'s queues and each connection: everything that
 * crosses from the outbound queue to a connection, and from a connection to the inbound stream,
 * passes here. By default {@link #DIRECT} passes frames through, which gives at-most-once
 * delivery across reconnects: a frame already handed to a connection that then drops may be
 * lost in flight.
 *
 * <p>This is where a no-loss resume would go: number each outbound frame, keep it until the
 * peer acknowledges its sequence number, replay the unacknowledged ones first on the next
 * connection (after a resume handshake), and on the inbound side strip acknowledgements and
 * duplicates. It needs a peer that speaks the same protocol, so it is not done by default.
 */
interface Delivery {

  /** Frames pass through unchanged. */
  Delivery DIRECT = new Delivery() {
    @Override
    public Publisher<WsFrame> outbound(Flux<WsFrame> fromQueue, WebSocketConnection connection) {
      return fromQueue;
    }

    @Override
    public Flux<WsFrame> inbound(Flux<WsFrame> fromConnection, WebSocketConnection connection) {
      return fromConnection;
    }
  };

  /**
   * What {@code connection} sends: {@code fromQueue} yields queued frames in order, only as
   * fast as the connection requests them.
   */
  Publisher<WsFrame> outbound(Flux<WsFrame> fromQueue, WebSocketConnection connection);

  /** What the application receives from {@code connection}. */
  Flux<WsFrame> inbound(Flux<WsFrame> fromConnection, WebSocketConnection connection);
}
