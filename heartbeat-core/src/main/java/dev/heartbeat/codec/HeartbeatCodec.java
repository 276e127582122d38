package dev.heartbeat.codec;

import dev.heartbeat.frame.WsFrame;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The wire form of heartbeats, chosen per endpoint to match its peers: what this side sends as
 * a heartbeat, how it recognises the peer's heartbeats and answers, and what it answers.
 *
 * <p>Whatever the codec, protocol control frames never reach the application: a ping is always
 * answered with a pong carrying its payload (RFC 6455 §5.5.2), and a pong always proves the
 * peer alive. The codec decides only whether they are this format's heartbeats and answers.
 *
 * <p>{@link #classify(WsFrame)} runs on every inbound frame: implementations must be cheap and
 * should not allocate for application frames.
 *
 * <pre>{@code
 * HeartbeatCodec codec = HeartbeatCodec.json();            // {"type":"heartbeat"} / heartbeat_ack
 * HeartbeatCodec custom = HeartbeatCodec.of("hb", WsFrame.text("?"), WsFrame.text("!"));
 * }</pre>
 */
public interface HeartbeatCodec {

  /** What an inbound frame is, to the heartbeat machinery. */
  enum Kind {
    /** The peer's heartbeat: answer it if the format has answers; never delivered. */
    HEARTBEAT,
    /** An answer to one of this side's heartbeats: gives the round-trip time; never delivered. */
    ANSWER,
    /** Anything else: an application message (or a control frame this format ignores). */
    MESSAGE
  }

  /** A short name for logs and metrics tags, such as {@code ping-frame} or {@code json}. */
  String name();

  /** The frame this side sends as a heartbeat. */
  WsFrame heartbeat();

  /** What {@code frame} is. Must be cheap: it runs on every inbound frame. */
  Kind classify(WsFrame frame);

  /**
   * The answer to the peer's {@code heartbeat}, or {@code null} when the format has none (any
   * message then proves life).
   */
  @Nullable WsFrame answer(WsFrame heartbeat);

  /**
   * RFC 6455 ping and pong control frames: this side pings, the peer pongs. Browsers and most
   * servers answer pings by themselves, but browsers cannot send them.
   */
  static HeartbeatCodec pingFrames() {
    return PingFrameCodec.INSTANCE;
  }

  /** Text {@code ping} answered by text {@code pong}: the usual hand-written JavaScript. */
  static HeartbeatCodec textPingPong() {
    return of("text", WsFrame.text("ping"), WsFrame.text("pong"));
  }

  /**
   * A bare text {@code HeartBeat} with no answer: each side sends it, and any inbound message
   * resets the peer's timer. No round-trip time can be measured.
   */
  static HeartbeatCodec heartbeatText() {
    return of("heartbeat-text", WsFrame.text("HeartBeat"), null);
  }

  /**
   * JSON {@code {"type":"heartbeat"}} answered by {@code {"type":"heartbeat_ack"}}. Inbound
   * heartbeats are recognised by their {@code type} field, whatever other fields they carry.
   */
  static HeartbeatCodec json() {
    return json("type", "heartbeat", "heartbeat_ack");
  }

  /**
   * JSON heartbeats {@code {"<field>":"<heartbeatType>"}} answered by
   * {@code {"<field>":"<answerType>"}}.
   */
  static HeartbeatCodec json(String field, String heartbeatType, String answerType) {
    return new JsonHeartbeatCodec(field, heartbeatType, answerType);
  }

  /**
   * A custom pair matched by equality: {@code heartbeat} is sent and recognised, {@code answer}
   * (or none, when {@code null}) answers it. Any frame kind may be used, such as binary.
   */
  static HeartbeatCodec of(String name, WsFrame heartbeat, @Nullable WsFrame answer) {
    return new FramePairCodec(name, heartbeat, answer);
  }

  /** Ping and pong control frames. */
  final class PingFrameCodec implements HeartbeatCodec {
    static final PingFrameCodec INSTANCE = new PingFrameCodec();

    private PingFrameCodec() {}

    @Override
    public String name() {
      return "ping-frame";
    }

    @Override
    public WsFrame heartbeat() {
      return WsFrame.ping();
    }

    @Override
    public Kind classify(WsFrame frame) {
      if (frame instanceof WsFrame.Ping) {
        return Kind.HEARTBEAT;
      }
      return frame instanceof WsFrame.Pong ? Kind.ANSWER : Kind.MESSAGE;
    }

    @Override
    public WsFrame answer(WsFrame heartbeat) {
      return heartbeat instanceof WsFrame.Ping ping ? WsFrame.pong(ping.payload()) : WsFrame.pong(new byte[0]);
    }

    @Override
    public String toString() {
      return name();
    }
  }

  /** Any pair of frames, matched by equality. */
  final class FramePairCodec implements HeartbeatCodec {
    private final String name;
    private final WsFrame heartbeat;
    private final @Nullable WsFrame answer;

    FramePairCodec(String name, WsFrame heartbeat, @Nullable WsFrame answer) {
      this.name = Objects.requireNonNull(name, "name");
      this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
      if (heartbeat instanceof WsFrame.Close) {
        throw new IllegalArgumentException("heartbeat: a close frame cannot be a heartbeat");
      }
      if (answer instanceof WsFrame.Close) {
        throw new IllegalArgumentException("answer: a close frame cannot be an answer");
      }
      if (heartbeat.equals(answer)) {
        throw new IllegalArgumentException("answer: must differ from the heartbeat, or the two could not be told apart");
      }
      this.answer = answer;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public WsFrame heartbeat() {
      return heartbeat;
    }

    @Override
    public Kind classify(WsFrame frame) {
      if (heartbeat.equals(frame)) {
        return Kind.HEARTBEAT;
      }
      return answer != null && answer.equals(frame) ? Kind.ANSWER : Kind.MESSAGE;
    }

    @Override
    public @Nullable WsFrame answer(WsFrame heartbeat) {
      return answer;
    }

    @Override
    public String toString() {
      return name + "(" + heartbeat + (answer == null ? ", no answer)" : " -> " + answer + ")");
    }
  }
}
