package dev.adjoint.runtime.exec.vector;

import dev.adjoint.runtime.exec.ExpF32;
import dev.adjoint.runtime.exec.VectorSupport;

/**
 * Elementwise arithmetic on contiguous runs of floats, one operation per call: what a generated
 * kernel's loop computes for every key of an attention row (scores scaled, shifted, exponentiated
 * and divided) runs as a few calls on rows of that length instead of one scalar iteration per key.
 * Every element is rounded to float as Java's float arithmetic rounds it, and {@link #exp} is
 * {@link ExpF32#exp}: the Vector API path and the scalar loops give the same bits, the bits of the
 * scalar loop the kernel would otherwise run.
 *
 * <p>Arguments name a run by array and offset; {@code out} may be one of the operands at the same
 * offset (the operation is done in place), but not overlap one otherwise. Lengths are the same for
 * every run of a call.
 */
public final class RowMaps {
  /** A binary operation, as Java computes it on two floats ({@code Math.max} / {@code Math.min} for the last two). */
  public enum Op {
    ADD, SUBTRACT, MULTIPLY, DIVIDE, MAX, MIN;

    /** The operation on two floats. */
    public float apply(float x, float y) {
      return switch (this) {
        case ADD -> x + y;
        case SUBTRACT -> x - y;
        case MULTIPLY -> x * y;
        case DIVIDE -> x / y;
        case MAX -> Math.max(x, y);
        case MIN -> Math.min(x, y);
      };
    }
  }

  /** A comparison of two floats, as Java's operators compare them (false for NaN but for {@code !=}). */
  public enum Compare {
    LESS, LESS_OR_EQUAL, GREATER, GREATER_OR_EQUAL, EQUAL, NOT_EQUAL;

    /** The comparison of two floats. */
    public boolean test(float x, float y) {
      return switch (this) {
        case LESS -> x < y;
        case LESS_OR_EQUAL -> x <= y;
        case GREATER -> x > y;
        case GREATER_OR_EQUAL -> x >= y;
        case EQUAL -> x == y;
        case NOT_EQUAL -> x != y;
      };
    }
  }

  private static final Impl IMPL = pick();

  private RowMaps() {}

  /** The loops behind the static methods: vector or scalar, chosen once per process. */
  interface Impl {
    void rows(Op op, float[] out, int outOffset, float[] x, int xOffset, float[] y, int yOffset, int length);

    void rowScalar(Op op, float[] out, int outOffset, float[] x, int xOffset, float y, int length);

    void scalarRow(Op op, float[] out, int outOffset, float x, float[] y, int yOffset, int length);

    void negate(float[] out, int outOffset, float[] x, int xOffset, int length);

    void exp(float[] out, int outOffset, float[] x, int xOffset, int length);

    float maxOf(float initial, float[] x, int xOffset, int length);

    /** {@code out[i] = x[i] cmp y ? a : b}, each of {@code a} and {@code b} a run or (array null) a value. */
    void select(float[] out, int outOffset, Compare cmp, float[] x, int xOffset, float y, float[] a, int aOffset,
        float aValue, float[] b, int bOffset, float bValue, int length);
  }

  private static Impl pick() {
    if (!VectorSupport.enabled()) return new ScalarRowMaps();
    try {
      return new VectorRowMaps();
    } catch (LinkageError e) {
      return new ScalarRowMaps();
    }
  }

  /** Whether the Vector API path runs in this process. */
  public static boolean vectorized() {
    return IMPL instanceof VectorRowMaps;
  }

  /** {@code out[i] = x[i] + y[i]}. */
  public static void add(float[] out, int outOffset, float[] x, int xOffset, float[] y, int yOffset, int length) {
    IMPL.rows(Op.ADD, out, outOffset, x, xOffset, y, yOffset, length);
  }

  /** {@code out[i] = x[i] + y}. */
  public static void add(float[] out, int outOffset, float[] x, int xOffset, float y, int length) {
    IMPL.rowScalar(Op.ADD, out, outOffset, x, xOffset, y, length);
  }

  /** {@code out[i] = x[i] - y[i]}. */
  public static void subtract(float[] out, int outOffset, float[] x, int xOffset, float[] y, int yOffset,
      int length) {
    IMPL.rows(Op.SUBTRACT, out, outOffset, x, xOffset, y, yOffset, length);
  }

  /** {@code out[i] = x[i] - y}. */
  public static void subtract(float[] out, int outOffset, float[] x, int xOffset, float y, int length) {
    IMPL.rowScalar(Op.SUBTRACT, out, outOffset, x, xOffset, y, length);
  }

  /** {@code out[i] = x - y[i]}. */
  public static void subtract(float[] out, int outOffset, float x, float[] y, int yOffset, int length) {
    IMPL.scalarRow(Op.SUBTRACT, out, outOffset, x, y, yOffset, length);
  }

  /** {@code out[i] = x[i] * y[i]}. */
  public static void multiply(float[] out, int outOffset, float[] x, int xOffset, float[] y, int yOffset,
      int length) {
    IMPL.rows(Op.MULTIPLY, out, outOffset, x, xOffset, y, yOffset, length);
  }

  /** {@code out[i] = x[i] * y}. */
  public static void multiply(float[] out, int outOffset, float[] x, int xOffset, float y, int length) {
    IMPL.rowScalar(Op.MULTIPLY, out, outOffset, x, xOffset, y, length);
  }

  /** {@code out[i] = x[i] / y[i]}. */
  public static void divide(float[] out, int outOffset, float[] x, int xOffset, float[] y, int yOffset, int length) {
    IMPL.rows(Op.DIVIDE, out, outOffset, x, xOffset, y, yOffset, length);
  }

  /** {@code out[i] = x[i] / y}. */
  public static void divide(float[] out, int outOffset, float[] x, int xOffset, float y, int length) {
    IMPL.rowScalar(Op.DIVIDE, out, outOffset, x, xOffset, y, length);
  }

  /** {@code out[i] = x / y[i]}. */
  public static void divide(float[] out, int outOffset, float x, float[] y, int yOffset, int length) {
    IMPL.scalarRow(Op.DIVIDE, out, outOffset, x, y, yOffset, length);
  }

  /** {@code out[i] = Math.max(x[i], y[i])}. */
  public static void max(float[] out, int outOffset, float[] x, int xOffset, float[] y, int yOffset, int length) {
    IMPL.rows(Op.MAX, out, outOffset, x, xOffset, y, yOffset, length);
  }

  /** {@code out[i] = Math.max(x[i], y)}. */
  public static void max(float[] out, int outOffset, float[] x, int xOffset, float y, int length) {
    IMPL.rowScalar(Op.MAX, out, outOffset, x, xOffset, y, length);
  }

  /** {@code out[i] = Math.min(x[i], y[i])}. */
  public static void min(float[] out, int outOffset, float[] x, int xOffset, float[] y, int yOffset, int length) {
    IMPL.rows(Op.MIN, out, outOffset, x, xOffset, y, yOffset, length);
  }

  /** {@code out[i] = Math.min(x[i], y)}. */
  public static void min(float[] out, int outOffset, float[] x, int xOffset, float y, int length) {
    IMPL.rowScalar(Op.MIN, out, outOffset, x, xOffset, y, length);
  }

  /** {@code out[i] = -x[i]}. */
  public static void negate(float[] out, int outOffset, float[] x, int xOffset, int length) {
    IMPL.negate(out, outOffset, x, xOffset, length);
  }

  /** {@code out[i] = ExpF32.exp(x[i])}. */
  public static void exp(float[] out, int outOffset, float[] x, int xOffset, int length) {
    IMPL.exp(out, outOffset, x, xOffset, length);
  }

  /** {@code out[i] = x[i] cmp y ? a[i] : b}. */
  public static void select(float[] out, int outOffset, Compare cmp, float[] x, int xOffset, float y, float[] a,
      int aOffset, float b, int length) {
    IMPL.select(out, outOffset, cmp, x, xOffset, y, a, aOffset, 0.0f, null, 0, b, length);
  }

  /** {@code out[i] = x[i] cmp y ? a : b[i]}. */
  public static void select(float[] out, int outOffset, Compare cmp, float[] x, int xOffset, float y, float a,
      float[] b, int bOffset, int length) {
    IMPL.select(out, outOffset, cmp, x, xOffset, y, null, 0, a, b, bOffset, 0.0f, length);
  }

  /** {@code out[i] = x[i] cmp y ? a[i] : b[i]}. */
  public static void select(float[] out, int outOffset, Compare cmp, float[] x, int xOffset, float y, float[] a,
      int aOffset, float[] b, int bOffset, int length) {
    IMPL.select(out, outOffset, cmp, x, xOffset, y, a, aOffset, 0.0f, b, bOffset, 0.0f, length);
  }

  /** {@code out[i] = x[i]}: a run stored where a buffer keeps it. */
  public static void copy(float[] out, int outOffset, float[] x, int xOffset, int length) {
    System.arraycopy(x, xOffset, out, outOffset, length);
  }

  /** {@code out[i] = value}. */
  public static void fill(float[] out, int outOffset, float value, int length) {
    java.util.Arrays.fill(out, outOffset, outOffset + length, value);
  }

  /**
   * {@code Math.max} of {@code initial} and every element: the same in any order, since
   * {@code Math.max} is exact, NaN wins from anywhere and +0 beats -0 from either side.
   */
  public static float maxOf(float initial, float[] x, int xOffset, int length) {
    return IMPL.maxOf(initial, x, xOffset, length);
  }

  /**
   * {@code initial + x[0] + x[1] + ...}, added one element at a time in index order, as a loop that
   * accumulates into a float does: a reduction over a row keeps its bits.
   */
  public static float sum(float initial, float[] x, int xOffset, int length) {
    float acc = initial;
    for (int i = 0; i < length; i++) acc += x[xOffset + i];
    return acc;
  }
}
