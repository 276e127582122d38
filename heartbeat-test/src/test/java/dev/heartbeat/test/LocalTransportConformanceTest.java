package dev.heartbeat.test;

import dev.heartbeat.local.LocalClientTransport;
import dev.heartbeat.local.LocalServerTransport;
import dev.heartbeat.transport.ClientTransport;
import dev.heartbeat.transport.MonotonicScheduler;
import dev.heartbeat.transport.ServerHandle;
import dev.heartbeat.transport.ServerTransport;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import java.util.IdentityHashMap;
import java.util.Map;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** The conformance suite over the in-memory transport, in real time: the suite's own proof. */
class LocalTransportConformanceTest extends TransportConformanceSuite {

  private static final Scheduler LOOP = MonotonicScheduler.wrap(Schedulers.single());
  private final Map<ServerHandle, LocalServerTransport> transports = new IdentityHashMap<>();
  private LocalServerTransport last;

  @Override
  protected ServerTransport serverTransport() {
    last = LocalServerTransport.create(LOOP);
    return handler -> last.start(handler).doOnNext(handle -> transports.put(handle, last));
  }

  @Override
  protected ClientTransport clientTransport(ServerHandle server) {
    return LocalClientTransport.create(transports.get(server), LOOP);
  }

  @Override
  protected void kill(ServerHandle server) {
    transports.get(server).kill();
  }

  @Override
  protected ServerHandle restart(ServerHandle killed, SessionHandler<WebSocketConnection> handler) {
    LocalServerTransport transport = transports.get(killed);
    ServerHandle restarted = transport.start(handler).block();
    transports.put(restarted, transport);
    return restarted;
  }

  @Override
  protected boolean offersFrameWriter() {
    return false; // its frames go through send(...), with its flow control
  }
}
