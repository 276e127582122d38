package dev.heartbeat.codec;

/** What {@link MessageDecoder#receive} does with a frame that cannot be decoded. */
public enum DecodeErrorAction {
  /** Skip the frame and go on with the following ones: the connection stays open. */
  DROP,
  /**
   * Close the connection with {@link DecodeException#suggestedStatus()} (1003, 1007, 1008 or
   * 1009) and complete the message stream; messages decoded before are delivered.
   */
  CLOSE
}
