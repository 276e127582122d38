package dev.heartbeat.transport;

/** Which end of a WebSocket this side is: the one that opened it, or the one that accepted it. */
public enum Role {
  /** The side that connected (browser, phone, service client). */
  CLIENT,
  /** The side that accepted the connection. */
  SERVER
}
