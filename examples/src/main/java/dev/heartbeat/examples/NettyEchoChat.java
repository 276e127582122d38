package dev.heartbeat.examples;

import dev.heartbeat.netty.NettyClientTransport;
import dev.heartbeat.netty.NettyServerTransport;
import java.net.URI;

/** {@link EchoChat} on Reactor Netty: the two lines that create the endpoints are all that is Netty here. */
public final class NettyEchoChat {

  private NettyEchoChat() {}

  public static void main(String[] args) {
    EchoChat.run(
        port -> NettyServerTransport.create("127.0.0.1", port),
        port -> NettyClientTransport.create(URI.create("ws://127.0.0.1:" + port + "/ws")),
        System.out::println);
  }
}
