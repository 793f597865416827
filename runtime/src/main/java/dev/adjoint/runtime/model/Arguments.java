package dev.adjoint.runtime.model;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.SizeLimit;
import dev.adjoint.runtime.Tensor;

/**
 * The checks a generated model method makes on entry, with messages that name the argument, the
 * axis, and the expected and actual sizes, as the language promises for run-time sizes.
 */
public final class Arguments {
  private Arguments() {}

  /**
   * Checks that argument {@code name}, declared {@code type} ({@code f32[B, T, 16]}), is given,
   * of element type {@code dtype} and of rank {@code rank}.
   *
   * @throws IllegalArgumentException if not, naming the argument, its declared type and what was
   *     given
   */
  public static void check(String name, Tensor value, DType dtype, int rank, String type) {
    if (value == null) throw new IllegalArgumentException("argument '" + name + "' is null; expected " + type);
    if (value.dtype() != dtype || value.rank() != rank) {
      throw new IllegalArgumentException("argument '" + name + "' must be " + type + ", got "
          + value.dtype().languageName() + value.shape());
    }
  }

  /**
   * Checks that axis {@code axis} of argument {@code name} has size {@code expected}, the value of
   * its declared size {@code dim} ({@code 16}, {@code T}, {@code 2*T}).
   *
   * @param origin where a size symbol was bound ({@code argument 'x' axis 1}), or {@code ""}
   * @throws IllegalArgumentException if it does not
   */
  public static void checkAxis(String name, Tensor value, int axis, long expected, String dim, String origin) {
    if (value.dim(axis) == expected) return;
    boolean literal = dim.chars().allMatch(Character::isDigit);
    throw new IllegalArgumentException("argument '" + name + "' axis " + axis + " has size " + value.dim(axis)
        + ", expected " + (literal ? dim : dim + " = " + expected) + (origin.isEmpty() ? "" : " (fixed by " + origin + ")"));
  }

  /**
   * A size given by the caller ({@code int T}), checked not to be negative.
   *
   * @throws IllegalArgumentException if it is
   */
  public static int size(String name, int value) {
    if (value < 0) throw new IllegalArgumentException("size '" + name + "' must not be negative, got " + value);
    return value;
  }

  /**
   * A size computed from others ({@code 2*T - 1}), checked to fit an int and not to be negative.
   *
   * @throws IllegalArgumentException if it does not
   */
  public static int size(String text, long value) {
    if (value < 0 || value > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("size " + text + " is " + value + ", outside 0.." + Integer.MAX_VALUE);
    }
    return (int) value;
  }

  /**
   * The element count of a buffer of the given dimensions.
   *
   * @param buffer the buffer's name, for the message
   * @throws IllegalArgumentException naming the buffer, its dimensions and the limit, if it exceeds
   *     what one tensor holds ({@link SizeLimit})
   */
  public static int elements(String buffer, int... dims) {
    long n = 1;
    for (int d : dims) {
      n *= d; // a negative size or a product past the limit goes to SizeLimit for its message
      if (d < 0 || n > SizeLimit.MAX_ELEMENTS) return SizeLimit.elements("buffer '" + buffer + "'", widen(dims));
    }
    return (int) n;
  }

  private static long[] widen(int[] dims) {
    long[] wide = new long[dims.length];
    for (int i = 0; i < dims.length; i++) wide[i] = dims[i];
    return wide;
  }

}
