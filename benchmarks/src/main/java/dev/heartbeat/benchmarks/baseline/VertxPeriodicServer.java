package dev.heartbeat.benchmarks.baseline;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;

/**
 * Baseline (b): the heartbeat as most Vert.x users write it. Every connection gets its own
 * {@code vertx.setPeriodic} timer that checks the last-seen timestamp and sends a ping; a peer
 * silent for longer than the timeout is closed with {@code 4408}. Everything runs on the
 * connection's event loop. Vert.x's default transport unless {@code VERTX_NATIVE=true}, which
 * prefers the native one (epoll, or io_uring when on the class path).
 *
 * <pre>PORT=8080 HB_INTERVAL_MS=1000 HB_TIMEOUT_MS=3000 java -cp benchmarks.jar dev.heartbeat.benchmarks.baseline.VertxPeriodicServer</pre>
 */
public final class VertxPeriodicServer {

  private VertxPeriodicServer() {}

  public static void main(String[] args) {
    ServerConfig config = ServerConfig.fromEnv(System.getenv());
    ServerStats stats = new ServerStats("vertx-periodic");
    boolean preferNative = Boolean.parseBoolean(System.getenv().getOrDefault("VERTX_NATIVE", "false"));
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(preferNative));
    stats.io(vertx.isNativeTransportEnabled() ? "vertx-native" : "vertx-nio");
    long intervalMillis = config.interval().toMillis();
    long timeoutNanos = config.timeout().toNanos();

    HttpServer server = vertx.createHttpServer(new HttpServerOptions()
            .setHost("127.0.0.1")
            .setPort(config.port())
            .setMaxWebSocketFrameSize(ServerConfig.MAX_MESSAGE_BYTES)
            .setMaxWebSocketMessageSize(ServerConfig.MAX_MESSAGE_BYTES))
        .requestHandler(request -> {
          if (request.path().equals("/stats")) {
            request.response().putHeader("content-type", "application/json").end(stats.json());
          } else {
            request.response().setStatusCode(404).end();
          }
        })
        .webSocketHandshakeHandler(handshake -> {
          if (handshake.path().equals("/ws")) {
            handshake.accept();
          } else {
            handshake.reject(404);
          }
        })
        .webSocketHandler(ws -> {
          stats.opened();
          long[] lastSeen = {System.nanoTime()}; // only touched on this connection's event loop
          long timer = vertx.setPeriodic(intervalMillis, id -> {
            if (System.nanoTime() - lastSeen[0] > timeoutNanos) {
              stats.timedOut();
              vertx.cancelTimer(id);
              ws.close((short) 4408, "heartbeat timeout");
            } else {
              ws.writePing(Buffer.buffer());
            }
          });
          ws.pongHandler(payload -> lastSeen[0] = System.nanoTime());
          ws.textMessageHandler(text -> {
            lastSeen[0] = System.nanoTime();
            ws.writeTextMessage(text);
          });
          ws.binaryMessageHandler(bytes -> {
            lastSeen[0] = System.nanoTime();
            ws.writeBinaryMessage(bytes);
          });
          ws.closeHandler(ignored -> {
            vertx.cancelTimer(timer);
            stats.closed();
          });
        });
    server.listen().toCompletionStage().toCompletableFuture().join();
    System.out.println("vertx-periodic listening on " + server.actualPort() + ", interval " + intervalMillis
        + " ms, timeout " + config.timeout().toMillis() + " ms, native transport " + vertx.isNativeTransportEnabled());
  }
}
