package dev.heartbeat.internal;

import java.time.Duration;
import java.util.Objects;

/** Checks shared by every builder, so that each rejects a bad value the same way, naming the field. */
public final class Validate {

  private Validate() {}

  /**
   * {@code value}, when it is positive and fits in a long of nanoseconds (every timer measures
   * in them).
   *
   * @throws IllegalArgumentException starting with {@code field + ":"} otherwise
   * @throws NullPointerException with message {@code field} for null
   */
  public static Duration positive(Duration value, String field) {
    Objects.requireNonNull(value, field);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(field + ": must be positive, got " + value);
    }
    try {
      value.toNanos();
    } catch (ArithmeticException tooLong) {
      throw new IllegalArgumentException(field + ": must fit in a long of nanoseconds (about 292 years), got " + value);
    }
    return value;
  }
}
