package dev.heartbeat.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.heartbeat.codec.DecodeException.FrameKind;
import dev.heartbeat.codec.DecodeException.Reason;
import dev.heartbeat.codec.TestMessages.Chat;
import dev.heartbeat.codec.TestMessages.Join;
import dev.heartbeat.codec.TestMessages.Msg;
import dev.heartbeat.codec.TestMessages.Note;
import dev.heartbeat.codec.TestMessages.Renamed;
import dev.heartbeat.frame.WsFrame;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JacksonMessageCodecTest {

  private final JacksonMessageCodec<Msg> codec = TestMessages.chatCodec();

  // --- round trips ---------------------------------------------------------------------------

  @Test
  void decodesEachRegisteredTypeIntoItsRecord() {
    assertEquals(new Chat("chat", "hi"), codec.decode(WsFrame.text("{\"type\":\"chat\",\"text\":\"hi\"}")));
    assertEquals(new Join("join", "ann"), codec.decode(WsFrame.text("{\"user\":\"ann\",\"type\":\"join\"}")));
  }

  @Test
  void encodeWritesTheRegisteredTypeNameFirst() {
    assertEquals(WsFrame.text("{\"type\":\"chat\",\"text\":\"hi\"}"), codec.encode(new Chat("chat", "hi")));
    assertEquals(WsFrame.text("{\"type\":\"join\",\"user\":\"ann\"}"), codec.encode(new Join("join", "ann")));
  }

  @Test
  void encodeWritesTheRegisteredNameWhateverTheTypeComponentSays() {
    assertEquals(WsFrame.text("{\"type\":\"chat\",\"text\":\"hi\"}"), codec.encode(new Chat("shout", "hi")));
    assertEquals(WsFrame.text("{\"type\":\"chat\",\"text\":\"hi\"}"), codec.encode(new Chat(null, "hi")));
  }

  @Test
  void encodeOfDecodeRoundTrips() {
    for (String json : List.of("{\"type\":\"chat\",\"text\":\"hé \\\"quoted\\\" ☃\"}", "{\"type\":\"join\",\"user\":\"bob\"}")) {
      WsFrame frame = WsFrame.text(json);
      assertEquals(frame, codec.encode(codec.decode(frame)));
    }
  }

  @Test
  void decodeOfEncodeRoundTrips() {
    for (Msg message : List.of(new Chat("chat", "hello"), new Join("join", "zoé"))) {
      assertEquals(message, codec.decode(codec.encode(message)));
    }
  }

  @Test
  void recordsWithoutATypeComponentWork() {
    JacksonMessageCodec<Msg> notes = JacksonMessageCodec.builder(Msg.class).register("note", Note.class).build();
    WsFrame frame = notes.encode(new Note("remember"));
    assertEquals(WsFrame.text("{\"type\":\"note\",\"body\":\"remember\"}"), frame);
    assertEquals(new Note("remember"), notes.decode(frame));
  }

  @Test
  void unknownPropertiesAreIgnoredByDefault() {
    assertEquals(new Chat("chat", "hi"), codec.decode(WsFrame.text("{\"type\":\"chat\",\"text\":\"hi\",\"extra\":[1]}")));
  }

  @Test
  void customTypeFieldIsReadAndWritten() {
    JacksonMessageCodec<Msg> kinds = JacksonMessageCodec.builder(Msg.class)
        .typeField("kind")
        .register("note", Note.class)
        .build();
    assertEquals(new Note("x"), kinds.decode(WsFrame.text("{\"kind\":\"note\",\"body\":\"x\"}")));
    assertEquals(WsFrame.text("{\"kind\":\"note\",\"body\":\"x\"}"), kinds.encode(new Note("x")));
    DecodeException error = assertThrows(DecodeException.class,
        () -> kinds.decode(WsFrame.text("{\"type\":\"note\",\"body\":\"x\"}")));
    assertEquals(Reason.UNKNOWN_TYPE, error.reason());
  }

  @Test
  void customObjectMapperIsUsedBothWays() {
    ObjectMapper snake = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    JacksonMessageCodec<Msg> snakeCodec = JacksonMessageCodec.builder(Msg.class)
        .objectMapper(snake)
        .register("renamed", Renamed.class)
        .build();
    WsFrame frame = WsFrame.text("{\"type\":\"renamed\",\"user_name\":\"ann\"}");
    assertEquals(new Renamed("ann"), snakeCodec.decode(frame));
    assertEquals(frame, snakeCodec.encode(new Renamed("ann")));
  }

  @Test
  void strictObjectMapperFailsOnUnknownPropertiesAsMalformed() {
    ObjectMapper strict = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    JacksonMessageCodec<Msg> strictCodec = JacksonMessageCodec.builder(Msg.class)
        .objectMapper(strict)
        .register("chat", Chat.class)
        .build();
    assertEquals(new Chat("chat", "hi"), strictCodec.decode(WsFrame.text("{\"type\":\"chat\",\"text\":\"hi\"}")));
    DecodeException error = assertThrows(DecodeException.class,
        () -> strictCodec.decode(WsFrame.text("{\"type\":\"chat\",\"text\":\"hi\",\"extra\":1}")));
    assertEquals(Reason.MALFORMED, error.reason());
  }

  @Test
  void typeFieldIsLeftOutForClassesWithoutItSoStrictMappersWork() {
    ObjectMapper strict = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    JacksonMessageCodec<Msg> strictCodec = JacksonMessageCodec.builder(Msg.class)
        .objectMapper(strict)
        .register("note", Note.class)
        .build();
    assertEquals(new Note("x"), strictCodec.decode(WsFrame.text("{\"type\":\"note\",\"body\":\"x\"}")));
  }

  // --- bad input -----------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"{\"type\":\"chat\"", "not json", "{\"type\":\"chat\",}", "{\"type\":\"chat\"} trailing", ""})
  void malformedJsonIsMalformedWith1007(String text) {
    DecodeException error = assertThrows(DecodeException.class, () -> codec.decode(WsFrame.text(text)));
    assertEquals(Reason.MALFORMED, error.reason());
    assertEquals(1007, error.suggestedStatus().code());
    assertEquals(FrameKind.TEXT, error.frameKind());
    assertEquals(text.length(), error.frameSize());
  }

  @ParameterizedTest
  @ValueSource(strings = {"[{\"type\":\"chat\"}]", "\"chat\"", "42", "null"})
  void jsonThatIsNotAnObjectIsMalformed(String text) {
    DecodeException error = assertThrows(DecodeException.class, () -> codec.decode(WsFrame.text(text)));
    assertEquals(Reason.MALFORMED, error.reason());
    assertEquals(1007, error.suggestedStatus().code());
  }

  @Test
  void fieldsThatDoNotFitTheTypeAreMalformed() {
    DecodeException error = assertThrows(DecodeException.class,
        () -> codec.decode(WsFrame.text("{\"type\":\"chat\",\"text\":{\"nested\":true}}")));
    assertEquals(Reason.MALFORMED, error.reason());
    assertTrue(error.getMessage().contains("chat"), error.getMessage());
    assertNotNull(error.getCause());
  }

  @Test
  void unknownTypeIsUnknownTypeWith1008() {
    DecodeException error = assertThrows(DecodeException.class,
        () -> codec.decode(WsFrame.text("{\"type\":\"shout\",\"text\":\"HI\"}")));
    assertEquals(Reason.UNKNOWN_TYPE, error.reason());
    assertEquals(1008, error.suggestedStatus().code());
    assertEquals("shout", error.typeName());
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"text\":\"hi\"}", "{\"type\":1}", "{\"type\":null}", "{\"type\":{\"name\":\"chat\"}}", "{}"})
  void missingOrNonStringTypeIsUnknownTypeWith1008(String text) {
    DecodeException error = assertThrows(DecodeException.class, () -> codec.decode(WsFrame.text(text)));
    assertEquals(Reason.UNKNOWN_TYPE, error.reason());
    assertEquals(1008, error.suggestedStatus().code());
    assertNull(error.typeName());
  }

  @Test
  void binaryFrameIsWrongFrameKindWith1003ByDefault() {
    byte[] json = "{\"type\":\"chat\",\"text\":\"hi\"}".getBytes(StandardCharsets.UTF_8);
    DecodeException error = assertThrows(DecodeException.class, () -> codec.decode(WsFrame.binary(json)));
    assertEquals(Reason.WRONG_FRAME_KIND, error.reason());
    assertEquals(1003, error.suggestedStatus().code());
    assertEquals(FrameKind.BINARY, error.frameKind());
    assertEquals(json.length, error.frameSize());
  }

  @Test
  void oversizedTextIsTooLargeWith1009BeforeParsing() {
    JacksonMessageCodec<Msg> small = JacksonMessageCodec.builder(Msg.class)
        .register("chat", Chat.class)
        .maxTextLength(32)
        .build();
    String fits = "{\"type\":\"chat\",\"text\":\"" + "a".repeat(7) + "\"}";
    assertEquals(32, fits.length());
    assertEquals(new Chat("chat", "a".repeat(7)), small.decode(WsFrame.text(fits)));

    String oversizedAndMalformed = "{" + "x".repeat(32); // would be MALFORMED if it were parsed
    DecodeException error = assertThrows(DecodeException.class,
        () -> small.decode(WsFrame.text(oversizedAndMalformed)));
    assertEquals(Reason.TOO_LARGE, error.reason());
    assertEquals(1009, error.suggestedStatus().code());
    assertEquals(33, error.frameSize());
    assertTrue(error.getMessage().contains("32"), error.getMessage());
  }

  @Test
  void errorMessageNeverCarriesTheWholePayload() {
    String payload = "{\"type\":\"chat\",\"text\":\"" + "z".repeat(5000) + "TAIL";
    DecodeException error = assertThrows(DecodeException.class, () -> codec.decode(WsFrame.text(payload)));
    assertEquals(Reason.MALFORMED, error.reason());
    assertFalse(error.getMessage().contains("TAIL"), error.getMessage());
    assertTrue(error.getMessage().length() < 400, () -> "message of " + error.getMessage().length() + " chars");
    assertTrue(error.excerpt().length() <= DecodeException.MAX_EXCERPT_CHARS);
  }

  // --- binary frames, when accepted ----------------------------------------------------------

  @Test
  void acceptBinaryDecodesUtf8JsonInBinaryFrames() {
    JacksonMessageCodec<Msg> binary = JacksonMessageCodec.builder(Msg.class)
        .register("chat", Chat.class)
        .acceptBinary(true)
        .build();
    byte[] json = "{\"type\":\"chat\",\"text\":\"zoé\"}".getBytes(StandardCharsets.UTF_8);
    assertEquals(new Chat("chat", "zoé"), binary.decode(WsFrame.binary(json)));
    assertEquals(new Chat("chat", "a"), binary.decode(WsFrame.text("{\"type\":\"chat\",\"text\":\"a\"}")));
  }

  @Test
  void acceptBinaryRefusesBadUtf8AsMalformed() {
    JacksonMessageCodec<Msg> binary = JacksonMessageCodec.builder(Msg.class)
        .register("chat", Chat.class)
        .acceptBinary(true)
        .build();
    byte[] bad = {'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    DecodeException error = assertThrows(DecodeException.class, () -> binary.decode(WsFrame.binary(bad)));
    assertEquals(Reason.MALFORMED, error.reason());
    assertEquals(FrameKind.BINARY, error.frameKind());
    assertTrue(error.getMessage().contains("UTF-8"), error.getMessage());
  }

  @Test
  void acceptBinaryMeasuresBinaryFramesInBytes() {
    JacksonMessageCodec<Msg> binary = JacksonMessageCodec.builder(Msg.class)
        .register("chat", Chat.class)
        .acceptBinary(true)
        .maxTextLength(16)
        .build();
    DecodeException error = assertThrows(DecodeException.class, () -> binary.decode(WsFrame.binary(new byte[17])));
    assertEquals(Reason.TOO_LARGE, error.reason());
    assertEquals(1009, error.suggestedStatus().code());
  }

  // --- encoding errors -----------------------------------------------------------------------

  @Test
  void encodingAnUnregisteredClassIsRefusedNamingMessage() {
    JacksonMessageCodec<Msg> chatOnly = JacksonMessageCodec.builder(Msg.class).register("chat", Chat.class).build();
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> chatOnly.encode(new Join("join", "ann")));
    assertTrue(error.getMessage().startsWith("message:"), error.getMessage());
    assertTrue(error.getMessage().contains(Join.class.getName()), error.getMessage());
  }

  // --- builder -------------------------------------------------------------------------------

  @Test
  void defaultsAreAsDocumented() {
    assertEquals("type", codec.typeField());
    assertEquals(262_144, codec.maxTextLength());
    assertFalse(codec.acceptBinary());
    assertSame(Msg.class, codec.baseType());
    assertEquals(Map.of("chat", Chat.class, "join", Join.class), codec.types());
    assertEquals(List.of("chat", "join"), List.copyOf(codec.types().keySet()));
  }

  @Test
  void everySetterReturnsANewBuilderAndLeavesTheOriginalUnchanged() {
    JacksonMessageCodec.Builder<Msg> base = JacksonMessageCodec.builder(Msg.class);
    JacksonMessageCodec.Builder<Msg> registered = base.register("chat", Chat.class);
    assertNotSame(base, registered);
    assertThrows(IllegalStateException.class, base::build); // base still has no type

    JacksonMessageCodec.Builder<Msg> field = registered.typeField("kind");
    JacksonMessageCodec.Builder<Msg> length = registered.maxTextLength(10);
    JacksonMessageCodec.Builder<Msg> binary = registered.acceptBinary(true);
    JacksonMessageCodec.Builder<Msg> mapper = registered.objectMapper(new ObjectMapper());
    JacksonMessageCodec.Builder<Msg> more = registered.register("join", Join.class);
    for (JacksonMessageCodec.Builder<Msg> derived : List.of(field, length, binary, mapper, more)) {
      assertNotSame(registered, derived);
    }

    assertEquals("kind", field.build().typeField());
    assertEquals(10, length.build().maxTextLength());
    assertTrue(binary.build().acceptBinary());
    assertEquals(2, more.build().types().size());

    JacksonMessageCodec<Msg> original = registered.build();
    assertEquals("type", original.typeField());
    assertEquals(262_144, original.maxTextLength());
    assertFalse(original.acceptBinary());
    assertEquals(Map.of("chat", Chat.class), original.types());
  }

  @Test
  void builderRejectsBadValuesNamingTheField() {
    JacksonMessageCodec.Builder<Msg> builder = JacksonMessageCodec.builder(Msg.class).register("chat", Chat.class);
    assertAll(
        named("baseType", NullPointerException.class, () -> JacksonMessageCodec.builder(null)),
        named("objectMapper", NullPointerException.class, () -> builder.objectMapper(null)),
        named("typeField", NullPointerException.class, () -> builder.typeField(null)),
        named("typeField", IllegalArgumentException.class, () -> builder.typeField("")),
        named("typeName", NullPointerException.class, () -> builder.register(null, Join.class)),
        named("typeName", IllegalArgumentException.class, () -> builder.register("", Join.class)),
        named("typeName", IllegalArgumentException.class, () -> builder.register("chat", Join.class)),
        named("type", NullPointerException.class, () -> builder.register("join", null)),
        named("type", IllegalArgumentException.class, () -> builder.register("again", Chat.class)),
        named("type", IllegalArgumentException.class, () -> builder.register("msg", Msg.class)),
        named("type", IllegalArgumentException.class, () -> builder.register("string", rawClass(String.class))),
        named("maxTextLength", IllegalArgumentException.class, () -> builder.maxTextLength(0)),
        named("maxTextLength", IllegalArgumentException.class, () -> builder.maxTextLength(-1)),
        named("register", IllegalStateException.class, () -> JacksonMessageCodec.builder(Msg.class).build()));
  }

  @Test
  void rejectedSetterLeavesTheBuilderUsable() {
    JacksonMessageCodec.Builder<Msg> builder = JacksonMessageCodec.builder(Msg.class).register("chat", Chat.class);
    assertThrows(IllegalArgumentException.class, () -> builder.register("chat", Join.class));
    assertEquals(Map.of("chat", Chat.class), builder.build().types());
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Class<? extends Msg> rawClass(Class<?> type) {
    return (Class) type;
  }

  private static Executable named(String field, Class<? extends RuntimeException> type, Executable call) {
    return () -> {
      RuntimeException error = assertThrows(type, call);
      String message = error.getMessage();
      assertTrue(message.equals(field) || message.startsWith(field + ":"),
          () -> "expected the message to name \"" + field + "\": " + message);
    };
  }

  private static void assertAll(Executable... checks) {
    org.junit.jupiter.api.Assertions.assertAll(checks);
  }
}
