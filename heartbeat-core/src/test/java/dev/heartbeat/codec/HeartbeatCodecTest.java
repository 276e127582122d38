package dev.heartbeat.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.codec.HeartbeatCodec.Kind;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeartbeatCodecTest {

  @Nested
  class PingFrames {
    private final HeartbeatCodec codec = HeartbeatCodec.pingFrames();

    @Test
    void heartbeatIsAnEmptyPing() {
      assertEquals(WsFrame.ping(), codec.heartbeat());
      assertEquals("ping-frame", codec.name());
    }

    @Test
    void classifiesPingAsHeartbeatPongAsAnswerAndDataAsMessage() {
      assertEquals(Kind.HEARTBEAT, codec.classify(WsFrame.ping(new byte[] {1})));
      assertEquals(Kind.ANSWER, codec.classify(WsFrame.pong(new byte[] {1})));
      assertEquals(Kind.MESSAGE, codec.classify(WsFrame.text("ping")));
      assertEquals(Kind.MESSAGE, codec.classify(WsFrame.binary(new byte[] {1})));
    }

    @Test
    void answersAPingWithAPongCarryingItsPayload() {
      assertEquals(WsFrame.pong(new byte[] {1, 2, 3}), codec.answer(WsFrame.ping(new byte[] {1, 2, 3})));
      assertEquals(WsFrame.pong(new byte[0]), codec.answer(WsFrame.ping()));
    }
  }

  @Nested
  class TextPingPong {
    private final HeartbeatCodec codec = HeartbeatCodec.textPingPong();

    @Test
    void heartbeatIsTextPing() {
      assertEquals(WsFrame.text("ping"), codec.heartbeat());
    }

    @Test
    void classifiesPingPongAndOtherText() {
      assertEquals(Kind.HEARTBEAT, codec.classify(WsFrame.text("ping")));
      assertEquals(Kind.ANSWER, codec.classify(WsFrame.text("pong")));
      assertEquals(Kind.MESSAGE, codec.classify(WsFrame.text("ping me")));
      assertEquals(Kind.MESSAGE, codec.classify(WsFrame.text("PING")));
      assertEquals(Kind.MESSAGE, codec.classify(WsFrame.binary("ping".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void answersWithTextPong() {
      assertEquals(WsFrame.text("pong"), codec.answer(WsFrame.text("ping")));
    }
  }

  @Nested
  class HeartbeatText {
    private final HeartbeatCodec codec = HeartbeatCodec.heartbeatText();

    @Test
    void heartbeatIsTextHeartBeat() {
      assertEquals(WsFrame.text("HeartBeat"), codec.heartbeat());
    }

    @Test
    void classifiesHeartBeatAndNothingAsAnswer() {
      assertEquals(Kind.HEARTBEAT, codec.classify(WsFrame.text("HeartBeat")));
      assertEquals(Kind.MESSAGE, codec.classify(WsFrame.text("heartbeat")));
      assertEquals(Kind.MESSAGE, codec.classify(WsFrame.text("pong")));
      assertEquals(Kind.MESSAGE, codec.classify(WsFrame.pong(new byte[0])));
    }

    @Test
    void hasNoAnswer() {
      assertNull(codec.answer(WsFrame.text("HeartBeat")));
    }
  }

  @Nested
  class Json {
    private final HeartbeatCodec codec = HeartbeatCodec.json();

    @Test
    void heartbeatIsTypeHeartbeat() {
      assertEquals(WsFrame.text("{\"type\":\"heartbeat\"}"), codec.heartbeat());
      assertEquals(Kind.HEARTBEAT, codec.classify(codec.heartbeat()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"type\":\"heartbeat\",\"ts\":1}",
        "{ \"type\" : \"heartbeat\" }",
        "{\"ts\":1,\"nested\":{\"type\":\"x\"},\"type\":\"heartbeat\"}"})
    void recognisesHeartbeatsByTheirTypeField(String text) {
      assertEquals(Kind.HEARTBEAT, codec.classify(WsFrame.text(text)));
    }

    @Test
    void recognisesTheAnswer() {
      assertEquals(Kind.ANSWER, codec.classify(WsFrame.text("{\"type\":\"heartbeat_ack\"}")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"type\":\"chat\",\"text\":\"heartbeat\"}",
        "{\"type\":\"heartbeat\"",
        "{\"type\":\"heartbeat\"} x",
        "{\"type\":\"heartbeat\"}{\"type\":\"heartbeat\"}",
        "{\"type\":\"heartbeat\",}",
        "{\"data\":{\"type\":\"heartbeat\"}}",
        "{\"type\":[\"heartbeat\"]}",
        "[\"heartbeat\"]",
        "heartbeat",
        "{\"type\":\"heartbeats\"}"})
    void treatsAnythingElseAsAMessage(String text) {
      assertEquals(Kind.MESSAGE, codec.classify(WsFrame.text(text)));
    }

    @Test
    void treatsATextLongerThan512CharsAsAMessage() {
      String prefix = "{\"type\":\"heartbeat\",\"pad\":\"";
      String fits = prefix + "x".repeat(512 - prefix.length() - 2) + "\"}";
      String tooLong = prefix + "x".repeat(513 - prefix.length() - 2) + "\"}";
      assertEquals(512, fits.length());
      assertEquals(Kind.HEARTBEAT, codec.classify(WsFrame.text(fits)));
      assertEquals(Kind.MESSAGE, codec.classify(WsFrame.text(tooLong)));
    }

    @Test
    void treatsBinaryAndControlFramesAsMessages() {
      byte[] json = "{\"type\":\"heartbeat\"}".getBytes(StandardCharsets.UTF_8);
      assertEquals(Kind.MESSAGE, codec.classify(WsFrame.binary(json)));
      assertEquals(Kind.MESSAGE, codec.classify(WsFrame.ping()));
    }

    @Test
    void answersWithHeartbeatAck() {
      assertEquals(WsFrame.text("{\"type\":\"heartbeat_ack\"}"), codec.answer(codec.heartbeat()));
    }
  }

  @Nested
  class JsonWithCustomField {
    private final HeartbeatCodec codec = HeartbeatCodec.json("op", "hb", "ack");

    @Test
    void heartbeatUsesTheCustomFieldAndValue() {
      assertEquals(WsFrame.text("{\"op\":\"hb\"}"), codec.heartbeat());
    }

    @Test
    void classifiesByTheCustomField() {
      assertEquals(Kind.HEARTBEAT, codec.classify(WsFrame.text("{\"op\":\"hb\",\"n\":2}")));
      assertEquals(Kind.ANSWER, codec.classify(WsFrame.text("{\"op\":\"ack\"}")));
      assertEquals(Kind.MESSAGE, codec.classify(WsFrame.text("{\"type\":\"hb\"}")));
      assertEquals(Kind.MESSAGE, codec.classify(WsFrame.text("{\"op\":\"chat\",\"text\":\"hb\"}")));
    }

    @Test
    void answersWithTheCustomAnswer() {
      assertEquals(WsFrame.text("{\"op\":\"ack\"}"), codec.answer(codec.heartbeat()));
    }

    @Test
    void quotesFieldAndValuesAsJson() {
      HeartbeatCodec quoted = HeartbeatCodec.json("o\"p", "h\"b", "ack");
      assertEquals(WsFrame.text("{\"o\\\"p\":\"h\\\"b\"}"), quoted.heartbeat());
      assertEquals(Kind.HEARTBEAT, quoted.classify(quoted.heartbeat()));
    }

    @Test
    void refusesBadArgumentsNamingTheField() {
      assertMessageStartsWith("answerType:", assertThrows(IllegalArgumentException.class,
          () -> HeartbeatCodec.json("type", "same", "same")));
      assertMessageStartsWith("field:", assertThrows(IllegalArgumentException.class,
          () -> HeartbeatCodec.json("", "hb", "ack")));
      assertMessageStartsWith("heartbeatType:", assertThrows(IllegalArgumentException.class,
          () -> HeartbeatCodec.json("type", "", "ack")));
      assertEquals("answerType", assertThrows(NullPointerException.class,
          () -> HeartbeatCodec.json("type", "hb", null)).getMessage());
    }
  }

  @Nested
  class CustomPair {
    private final WsFrame heartbeat = WsFrame.binary(new byte[] {0x01});
    private final WsFrame answer = WsFrame.binary(new byte[] {0x02});
    private final HeartbeatCodec codec = HeartbeatCodec.of("bin", heartbeat, answer);

    @Test
    void heartbeatIsTheGivenFrame() {
      assertEquals(heartbeat, codec.heartbeat());
      assertEquals("bin", codec.name());
    }

    @Test
    void classifiesByEquality() {
      assertEquals(Kind.HEARTBEAT, codec.classify(WsFrame.binary(new byte[] {0x01})));
      assertEquals(Kind.ANSWER, codec.classify(WsFrame.binary(new byte[] {0x02})));
      assertEquals(Kind.MESSAGE, codec.classify(WsFrame.binary(new byte[] {0x01, 0x02})));
      assertEquals(Kind.MESSAGE, codec.classify(WsFrame.text("\u0001")));
    }

    @Test
    void answersWithTheGivenFrame() {
      assertEquals(answer, codec.answer(heartbeat));
    }

    @Test
    void withoutAnswerNothingIsAnAnswer() {
      HeartbeatCodec oneWay = HeartbeatCodec.of("one-way", heartbeat, null);
      assertNull(oneWay.answer(heartbeat));
      assertEquals(Kind.HEARTBEAT, oneWay.classify(heartbeat));
      assertEquals(Kind.MESSAGE, oneWay.classify(answer));
    }

    @Test
    void refusesACloseFrameNamingTheField() {
      WsFrame close = WsFrame.close(CloseStatus.NORMAL);
      assertMessageStartsWith("heartbeat:", assertThrows(IllegalArgumentException.class,
          () -> HeartbeatCodec.of("x", close, answer)));
      assertMessageStartsWith("answer:", assertThrows(IllegalArgumentException.class,
          () -> HeartbeatCodec.of("x", heartbeat, close)));
    }

    @Test
    void refusesAnAnswerEqualToTheHeartbeatNamingTheField() {
      assertMessageStartsWith("answer:", assertThrows(IllegalArgumentException.class,
          () -> HeartbeatCodec.of("x", WsFrame.text("hb"), WsFrame.text("hb"))));
    }

    @Test
    void refusesNullsNamingTheField() {
      assertEquals("name", assertThrows(NullPointerException.class,
          () -> HeartbeatCodec.of(null, heartbeat, answer)).getMessage());
      assertEquals("heartbeat", assertThrows(NullPointerException.class,
          () -> HeartbeatCodec.of("x", null, answer)).getMessage());
    }
  }

  private static void assertMessageStartsWith(String prefix, Throwable error) {
    assertTrue(error.getMessage().startsWith(prefix), () -> "expected \"" + prefix + "\" in: " + error.getMessage());
  }
}
