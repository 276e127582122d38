package dev.heartbeat.frame;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CloseStatusTest {

  @ParameterizedTest
  @ValueSource(ints = {999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 0, -1})
  void ofRefusesCodesThatMayNotBeSent(int code) {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> CloseStatus.of(code, "x"));
    assertTrue(error.getMessage().startsWith("code:"), error.getMessage());
    assertTrue(error.getMessage().contains(Integer.toString(code)), error.getMessage());
    assertFalse(CloseStatus.isSendable(code));
  }

  @ParameterizedTest
  @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4500, 4999})
  void ofAcceptsSendableCodes(int code) {
    CloseStatus status = CloseStatus.of(code, "why");
    assertEquals(code, status.code());
    assertEquals("why", status.reason());
    assertTrue(status.sendable());
  }

  @Test
  void ofWithoutReasonHasAnEmptyReason() {
    assertEquals("", CloseStatus.of(4001).reason());
  }

  @Test
  void reasonIsLimitedInUtf8BytesNotCharacters() {
    String fits = "é".repeat(61);     // 61 chars, 122 bytes
    String tooLong = "é".repeat(62);  // 62 chars, 124 bytes: fewer than 123 chars, more than 123 bytes
    assertEquals(124, tooLong.getBytes(StandardCharsets.UTF_8).length);

    assertEquals(fits, CloseStatus.of(4000, fits).reason());
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> CloseStatus.of(4000, tooLong));
    assertTrue(error.getMessage().startsWith("reason:"), error.getMessage());
    assertTrue(error.getMessage().contains("124"), error.getMessage());
  }

  @Test
  void reasonOfExactly123AsciiBytesFits() {
    assertEquals(123, CloseStatus.of(1000, "a".repeat(123)).reason().length());
    assertThrows(IllegalArgumentException.class, () -> CloseStatus.of(1000, "a".repeat(124)));
  }

  @Test
  void withReasonValidatesTheReason() {
    CloseStatus status = CloseStatus.NORMAL.withReason("bye");
    assertEquals(1000, status.code());
    assertEquals("bye", status.reason());
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> CloseStatus.NORMAL.withReason("€".repeat(42)));
    assertTrue(error.getMessage().startsWith("reason:"), error.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {1005, 1006, 1015, 999, 5000})
  void receivedAcceptsAnyCodeAndReportsIt(int code) {
    CloseStatus status = CloseStatus.received(code, "as sent");
    assertEquals(code, status.code());
    assertEquals("as sent", status.reason());
    assertFalse(status.sendable());
  }

  @Test
  void receivedTurnsANullReasonIntoAnEmptyOne() {
    assertEquals("", CloseStatus.received(1005, null).reason());
  }

  @Test
  void constantsHaveTheDocumentedCodes() {
    assertAll(
        () -> assertEquals(1000, CloseStatus.NORMAL.code()),
        () -> assertEquals(1001, CloseStatus.GOING_AWAY.code()),
        () -> assertEquals(1002, CloseStatus.PROTOCOL_ERROR.code()),
        () -> assertEquals(1003, CloseStatus.UNSUPPORTED_DATA.code()),
        () -> assertEquals(1005, CloseStatus.NO_STATUS.code()),
        () -> assertEquals(1006, CloseStatus.ABNORMAL.code()),
        () -> assertEquals(1007, CloseStatus.INVALID_PAYLOAD.code()),
        () -> assertEquals(1008, CloseStatus.POLICY_VIOLATION.code()),
        () -> assertEquals(1009, CloseStatus.TOO_BIG.code()),
        () -> assertEquals(1011, CloseStatus.INTERNAL_ERROR.code()),
        () -> assertEquals(1012, CloseStatus.SERVICE_RESTART.code()),
        () -> assertEquals(1013, CloseStatus.TRY_AGAIN_LATER.code()),
        () -> assertEquals(4408, CloseStatus.HEARTBEAT_TIMEOUT.code()),
        () -> assertEquals(4500, CloseStatus.SUPERSEDED.code()));
  }

  @Test
  void receivedOnlyConstantsAreNotSendable() {
    assertFalse(CloseStatus.NO_STATUS.sendable());
    assertFalse(CloseStatus.ABNORMAL.sendable());
    assertTrue(CloseStatus.HEARTBEAT_TIMEOUT.sendable());
    assertTrue(CloseStatus.SUPERSEDED.sendable());
  }

  @Test
  void equalityIsByCodeOnly() {
    CloseStatus a = CloseStatus.of(4001, "token expired");
    CloseStatus b = CloseStatus.of(4001, "another reason");
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertEquals(CloseStatus.INVALID_PAYLOAD, CloseStatus.received(1007, "bad json"));
    assertNotEquals(a, CloseStatus.of(4002, "token expired"));
    assertNotEquals(a, (Object) "4001");
  }

  @Test
  void toStringShowsCodeAndReason() {
    assertEquals("1000", CloseStatus.NORMAL.toString());
    assertEquals("4001 token expired", CloseStatus.of(4001, "token expired").toString());
  }
}
