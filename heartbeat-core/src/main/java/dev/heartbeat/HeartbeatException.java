package dev.heartbeat;

import org.jspecify.annotations.Nullable;

/** The root of this library's errors: each subtype carries the facts needed to diagnose it. */
public abstract class HeartbeatException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  protected HeartbeatException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
