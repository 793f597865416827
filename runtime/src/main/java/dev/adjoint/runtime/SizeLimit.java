package dev.adjoint.runtime;

import java.math.BigInteger;

/**
 * The one limit on a tensor's size and the one message for passing it, shared by every place
 * that refuses a size before allocating: the compiler's run-time checks, the CLI's drawn inputs,
 * the Java backend's buffers and generated model classes. Java arrays are indexed by int, so a
 * tensor holds at most {@link #MAX_ELEMENTS} elements.
 */
public final class SizeLimit {
  /** The most elements one tensor (one Java array) holds: 2^31 - 1. */
  public static final int MAX_ELEMENTS = Integer.MAX_VALUE;

  private SizeLimit() {}

  /**
   * The element count of a tensor of the given dimensions.
   *
   * @param what the tensor as the message names it: {@code input 'q' f32[B, T, D]}
   * @throws IllegalArgumentException naming it, its dimensions and the limit, if the count exceeds
   *     {@link #MAX_ELEMENTS} or a dimension is negative
   */
  public static int elements(String what, long... dims) {
    // Called for every buffer of every run: long arithmetic, and the exact count only for the message.
    boolean empty = false;
    for (long d : dims) {
      if (d < 0) throw new IllegalArgumentException(what + " would be " + format(dims) + ": a negative size");
      empty |= d == 0;
    }
    if (empty) return 0;
    long count = 1;
    for (long d : dims) {
      // Both factors are at most 2^31 - 1 here, so the product fits in a long before the check.
      if (d > MAX_ELEMENTS || (count *= d) > MAX_ELEMENTS) {
        throw new IllegalArgumentException(tooLarge(what, format(dims), exactCount(dims)));
      }
    }
    return (int) count;
  }

  private static String exactCount(long[] dims) {
    BigInteger count = BigInteger.ONE;
    for (long d : dims) count = count.multiply(BigInteger.valueOf(d));
    return count.toString();
  }

  /**
   * {@code <what> would be <shape>, <count> elements: more than 2147483647, the most one tensor can
   * hold}: the message for a tensor past the limit, for callers whose count is past even a long.
   */
  public static String tooLarge(String what, String shape, String count) {
    return what + " would be " + shape + ", " + count + " elements: more than " + MAX_ELEMENTS
        + ", the most one tensor can hold";
  }

  private static String format(long[] dims) {
    StringBuilder text = new StringBuilder("[");
    for (int i = 0; i < dims.length; i++) text.append(i == 0 ? "" : ", ").append(dims[i]);
    return text.append(']').toString();
  }
}
