package dev.heartbeat.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.heartbeat.codec.DecodeException.Reason;
import dev.heartbeat.codec.TestMessages.Chat;
import dev.heartbeat.codec.TestMessages.Join;
import dev.heartbeat.codec.TestMessages.Msg;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.local.LocalConnectionPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class MessageDecoderTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private static final WsFrame CHAT_1 = WsFrame.text("{\"type\":\"chat\",\"text\":\"one\"}");
  private static final WsFrame JOIN = WsFrame.text("{\"type\":\"join\",\"user\":\"ann\"}");
  private static final WsFrame CHAT_2 = WsFrame.text("{\"type\":\"chat\",\"text\":\"two\"}");
  private static final WsFrame MALFORMED = WsFrame.text("{\"type\":\"chat\",\"text\":");
  private static final WsFrame UNKNOWN = WsFrame.text("{\"type\":\"shout\",\"text\":\"HI\"}");

  private final JacksonMessageCodec<Msg> codec = TestMessages.chatCodec();
  private final List<DecodeException> errors = new CopyOnWriteArrayList<>();
  private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();

  @AfterEach
  void disposeClock() {
    clock.dispose();
  }

  // --- the operator (DROP) -------------------------------------------------------------------

  @Test
  void dropDeliversEveryGoodMessageInOrderAndReportsEachBadFrame() {
    Flux<WsFrame> frames = Flux.just(CHAT_1, MALFORMED, JOIN, UNKNOWN, CHAT_2);

    StepVerifier.create(frames.transform(MessageDecoder.decode(codec, errors::add)))
        .expectNext(new Chat("chat", "one"), new Join("join", "ann"), new Chat("chat", "two"))
        .expectComplete()
        .verify(TIMEOUT);

    assertEquals(List.of(Reason.MALFORMED, Reason.UNKNOWN_TYPE), errors.stream().map(DecodeException::reason).toList());
    assertEquals("shout", errors.get(1).typeName());
  }

  @Test
  void pingAndPongFramesAreSkippedSilently() {
    // MessageCodec.text() would refuse a ping as WRONG_FRAME_KIND: no error proves it never saw one.
    Flux<WsFrame> frames = Flux.just(WsFrame.ping(), WsFrame.text("a"), WsFrame.pong(new byte[] {1}), WsFrame.text("b"));

    StepVerifier.create(frames.transform(MessageDecoder.decode(MessageCodec.text(), errors::add)))
        .expectNext("a", "b")
        .expectComplete()
        .verify(TIMEOUT);

    assertEquals(List.of(), errors);
  }

  @Test
  void aThrowingErrorConsumerDoesNotBreakTheStream() {
    List<Reason> seen = new ArrayList<>();
    Flux<WsFrame> frames = Flux.just(MALFORMED, CHAT_1, UNKNOWN, CHAT_2);

    StepVerifier.create(frames.transform(MessageDecoder.decode(codec, error -> {
          seen.add(error.reason());
          throw new IllegalStateException("consumer bug");
        })))
        .expectNext(new Chat("chat", "one"), new Chat("chat", "two"))
        .expectComplete()
        .verify(TIMEOUT);

    assertEquals(List.of(Reason.MALFORMED, Reason.UNKNOWN_TYPE), seen);
  }

  @Test
  void upstreamErrorsPassThrough() {
    IllegalStateException readFailed = new IllegalStateException("read failed");
    Flux<WsFrame> frames = Flux.concat(Flux.just(CHAT_1), Flux.error(readFailed));

    StepVerifier.create(frames.transform(MessageDecoder.decode(codec, errors::add)))
        .expectNext(new Chat("chat", "one"))
        .expectErrorMatches(error -> error == readFailed)
        .verify(TIMEOUT);
  }

  @Test
  void aCodecBugOtherThanADecodeExceptionErrorsTheStream() {
    MessageCodec<String> broken = new MessageCodec<>() {
      @Override
      public String decode(WsFrame frame) {
        throw new IllegalStateException("codec bug");
      }

      @Override
      public WsFrame encode(String message) {
        return WsFrame.text(message);
      }
    };

    StepVerifier.create(Flux.just(WsFrame.text("x")).transform(MessageDecoder.decode(broken, errors::add)))
        .expectErrorMessage("codec bug")
        .verify(TIMEOUT);
    assertEquals(List.of(), errors);
  }

  @Test
  void argumentsAreRequiredNamingTheField() {
    LocalConnectionPair pair = LocalConnectionPair.create(clock);
    assertEquals("codec", assertThrows(NullPointerException.class,
        () -> MessageDecoder.decode(null, errors::add)).getMessage());
    assertEquals("errors", assertThrows(NullPointerException.class,
        () -> MessageDecoder.decode(codec, null)).getMessage());
    assertEquals("connection", assertThrows(NullPointerException.class,
        () -> MessageDecoder.receive(null, codec, DecodeErrorAction.DROP, errors::add)).getMessage());
    assertEquals("action", assertThrows(NullPointerException.class,
        () -> MessageDecoder.receive(pair.server(), codec, null, errors::add)).getMessage());
  }

  // --- over a connection ---------------------------------------------------------------------

  @Test
  void receiveWithDropKeepsTheConnectionOpenAndDeliversLaterMessages() {
    LocalConnectionPair pair = LocalConnectionPair.create(clock);
    Flux<Msg> messages = MessageDecoder.receive(pair.server(), codec, DecodeErrorAction.DROP, errors::add);

    StepVerifier.create(messages)
        .then(() -> send(pair, CHAT_1, MALFORMED, WsFrame.ping(), JOIN, UNKNOWN, CHAT_2))
        .expectNext(new Chat("chat", "one"), new Join("join", "ann"), new Chat("chat", "two"))
        .then(() -> assertTrue(pair.server().isOpen(), "dropping a frame must not close the connection"))
        // The close's own Mono may fail on a virtual clock once both sides are closed; the
        // outcome is checked through onClose() below.
        .then(() -> pair.client().close(CloseStatus.NORMAL).subscribe(null, closeFailed -> { }))
        .then(clock::advanceTime)
        .expectComplete()
        .verify(TIMEOUT);

    assertEquals(List.of(Reason.MALFORMED, Reason.UNKNOWN_TYPE), errors.stream().map(DecodeException::reason).toList());
    StepVerifier.create(pair.server().onClose())
        .expectNext(CloseStatus.NORMAL)
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void receiveWithCloseClosesWith1007AfterAMalformedFrameAndDeliversTheMessagesBefore() {
    LocalConnectionPair pair = LocalConnectionPair.create(clock);
    Flux<Msg> messages = MessageDecoder.receive(pair.server(), codec, DecodeErrorAction.CLOSE, errors::add);

    StepVerifier.create(messages)
        .then(() -> send(pair, CHAT_1, WsFrame.pong(new byte[0]), JOIN, MALFORMED, CHAT_2))
        .then(clock::advanceTime)
        .expectNext(new Chat("chat", "one"), new Join("join", "ann"))
        .expectComplete()
        .verify(TIMEOUT);

    assertEquals(1, errors.size());
    assertEquals(Reason.MALFORMED, errors.get(0).reason());
    assertFalse(pair.server().isOpen());
    StepVerifier.create(pair.client().onClose())
        .then(clock::advanceTime)
        .assertNext(status -> assertEquals(1007, status.code()))
        .expectComplete()
        .verify(TIMEOUT);
    StepVerifier.create(pair.server().onClose())
        .assertNext(status -> assertEquals(1007, status.code()))
        .expectComplete()
        .verify(TIMEOUT);
  }

  static Stream<Arguments> badFramesAndTheirCloseCodes() {
    return Stream.of(
        Arguments.of(MALFORMED, 1007),
        Arguments.of(UNKNOWN, 1008),
        Arguments.of(WsFrame.binary(new byte[] {'{', '}'}), 1003),
        Arguments.of(WsFrame.text("{\"type\":\"chat\",\"text\":\"" + "x".repeat(100) + "\"}"), 1009));
  }

  @ParameterizedTest
  @MethodSource("badFramesAndTheirCloseCodes")
  void receiveWithCloseUsesTheSuggestedStatus(WsFrame bad, int expectedCode) {
    JacksonMessageCodec<Msg> small = JacksonMessageCodec.builder(Msg.class)
        .register("chat", Chat.class)
        .register("join", Join.class)
        .maxTextLength(64)
        .build();
    LocalConnectionPair pair = LocalConnectionPair.create(clock);
    Flux<Msg> messages = MessageDecoder.receive(pair.server(), small, DecodeErrorAction.CLOSE, errors::add);

    StepVerifier.create(messages)
        .then(() -> send(pair, CHAT_1, bad, CHAT_2))
        .then(clock::advanceTime)
        .expectNext(new Chat("chat", "one"))
        .expectComplete()
        .verify(TIMEOUT);

    assertEquals(1, errors.size());
    assertEquals(expectedCode, errors.get(0).suggestedStatus().code());
    StepVerifier.create(pair.client().onClose())
        .assertNext(status -> assertEquals(expectedCode, status.code()))
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void receiveWithCloseStillClosesWhenTheErrorConsumerThrows() {
    LocalConnectionPair pair = LocalConnectionPair.create(clock);
    Flux<Msg> messages = MessageDecoder.receive(pair.server(), codec, DecodeErrorAction.CLOSE, error -> {
      throw new IllegalStateException("consumer bug");
    });

    StepVerifier.create(messages)
        .then(() -> send(pair, CHAT_1, UNKNOWN))
        .then(clock::advanceTime)
        .expectNext(new Chat("chat", "one"))
        .expectComplete()
        .verify(TIMEOUT);

    StepVerifier.create(pair.client().onClose())
        .assertNext(status -> assertEquals(1008, status.code()))
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void receiveSubscribesToTheConnectionOnlyOnce() {
    LocalConnectionPair pair = LocalConnectionPair.create(clock);
    Flux<Msg> messages = MessageDecoder.receive(pair.server(), codec, DecodeErrorAction.DROP, errors::add);
    messages.subscribe();
    StepVerifier.create(messages)
        .expectErrorSatisfies(error -> assertInstanceOf(IllegalStateException.class, error))
        .verify(TIMEOUT);
  }

  /** Sends {@code frames} from the client; a send cut short by the server's close is expected. */
  private void send(LocalConnectionPair pair, WsFrame... frames) {
    pair.client().send(Flux.just(frames)).subscribe(null, closedWhileSending -> { });
    clock.advanceTime();
  }
}
