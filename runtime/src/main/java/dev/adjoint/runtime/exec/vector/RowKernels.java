package dev.adjoint.runtime.exec.vector;

import dev.adjoint.runtime.exec.VectorSupport;

/**
 * The inner loops that generated kernels call on contiguous runs of floats. Elementwise loops
 * ({@link #addScaled}, {@link #scaleAddScaled}) compute the scalar loop's bits on either path,
 * each operation rounded to float as Java's float arithmetic rounds. {@link #dot} with the Vector
 * API sums in lanes and then across them, a different order from the scalar loop's: its result
 * differs from the kernel interpreter's in the last bits (the backend's f32 tolerance, 1e-5
 * relative, covers it); the scalar path sums in index order, as the interpreter does.
 * {@link #dotProducts} sums every element in index order on both paths, so it gives the
 * interpreter's bits.
 */
public final class RowKernels {
  private static final Impl IMPL = select();

  private RowKernels() {}

  /** The loops behind the static methods: vector or scalar, chosen once per process. */
  interface Impl {
    float dot(float[] x, int xOffset, float[] y, int yOffset, int length);

    void addScaled(float[] acc, float weight, float[] x, int xOffset, int length);

    void scaleAddScaled(float[] acc, float scale, float weight, float[] x, int xOffset, int length);

    void dotProducts(float[] out, float[] x, int xOffset, int xStride, int rows, float[] y, int yOffset, int yStride,
        int columns, int length);

    void addWeightedRows(float[] acc, float[] weights, float[] x, int xOffset, int xStride, int rows, int length);

    void scaleAddWeightedRows(float[] acc, float[] scales, float[] weights, float[] x, int xOffset, int xStride,
        int rows, int length);

    float onlineSoftmax(float[] x, int xOffset, int length, float max, float sum, float[] scales, float[] weights);
  }

  private static Impl select() {
    if (!VectorSupport.enabled()) return new ScalarRowKernels();
    try {
      return new VectorRowKernels();
    } catch (LinkageError e) {
      return new ScalarRowKernels();
    }
  }

  /** Whether the Vector API path runs in this process. */
  public static boolean vectorized() {
    return IMPL instanceof VectorRowKernels;
  }

  /** {@code sum over i < length of x[xOffset + i] * y[yOffset + i]}, from 0. */
  public static float dot(float[] x, int xOffset, float[] y, int yOffset, int length) {
    return IMPL.dot(x, xOffset, y, yOffset, length);
  }

  /** {@code acc[i] = acc[i] + weight * x[xOffset + i]} for {@code i < length}. */
  public static void addScaled(float[] acc, float weight, float[] x, int xOffset, int length) {
    IMPL.addScaled(acc, weight, x, xOffset, length);
  }

  /** {@code acc[i] = acc[i] * scale + weight * x[xOffset + i]} for {@code i < length}. */
  public static void scaleAddScaled(float[] acc, float scale, float weight, float[] x, int xOffset, int length) {
    IMPL.scaleAddScaled(acc, scale, weight, x, xOffset, length);
  }

  /**
   * Every dot product of {@code rows} runs of {@code x} with {@code columns} runs of {@code y}, all
   * of {@code length} elements: {@code out[i * columns + j] = sum over d < length of
   * x[xOffset + i * xStride + d] * y[yOffset + j * yStride + d]}, each sum from 0 in index order,
   * every product and partial sum rounded to float (the kernel interpreter's bits). Attention
   * kernels call it for a block of query rows against every key, instead of one {@link #dot} per
   * pair: the key rows are read once per block, and no sum runs across vector lanes.
   *
   * @throws IllegalArgumentException if a count or length is negative, or {@code out} is shorter
   *     than {@code rows * columns}
   */
  public static void dotProducts(float[] out, float[] x, int xOffset, int xStride, int rows, float[] y, int yOffset,
      int yStride, int columns, int length) {
    if (rows < 0 || columns < 0 || length < 0) {
      throw new IllegalArgumentException("dotProducts: negative rows, columns or length (" + rows + ", " + columns + ", "
          + length + ")");
    }
    if ((long) rows * columns > out.length) {
      throw new IllegalArgumentException("dotProducts: " + rows + " x " + columns + " products do not fit in "
          + out.length + " elements");
    }
    IMPL.dotProducts(out, x, xOffset, xStride, rows, y, yOffset, yStride, columns, length);
  }

  /**
   * {@link #addScaled} for rows {@code r = 0, 1, ...} of {@code x} in order, with weight
   * {@code weights[r]}: {@code acc[i] = acc[i] + weights[r] * x[xOffset + r * xStride + i]}. The
   * same bits as the calls one by one (each lane's products and sums in the same order), with
   * {@code acc} held in registers across the rows: attention's weighted sum of value rows.
   */
  public static void addWeightedRows(float[] acc, float[] weights, float[] x, int xOffset, int xStride, int rows,
      int length) {
    checkRows(weights, rows, length, acc);
    IMPL.addWeightedRows(acc, weights, x, xOffset, xStride, rows, length);
  }

  /**
   * {@link #scaleAddScaled} for rows {@code r = 0, 1, ...} in order: {@code acc[i] = acc[i] *
   * scales[r] + weights[r] * x[xOffset + r * xStride + i]}, the same bits as the calls one by one:
   * the online softmax's running rescale and weighted sum.
   */
  public static void scaleAddWeightedRows(float[] acc, float[] scales, float[] weights, float[] x, int xOffset,
      int xStride, int rows, int length) {
    checkRows(weights, rows, length, acc);
    checkRows(scales, rows, length, acc);
    IMPL.scaleAddWeightedRows(acc, scales, weights, x, xOffset, xStride, rows, length);
  }

  /**
   * The online softmax's pass over a row of scores, what its loop does for keys {@code r = 0, 1, ...}
   * in order, from the running maximum {@code max} and sum {@code sum} before the row:
   *
   * <pre>
   *   next = Math.max(max, x[r])
   *   scales[r] = next == -inf ? 1 : ExpF32.exp(max - next)    (the earlier terms' rescale)
   *   weights[r] = next == -inf ? 0 : ExpF32.exp(x[r] - next)
   *   sum = sum * scales[r] + weights[r];  max = next
   * </pre>
   *
   * Returns the sum after the row (the maximum after it is {@link RowMaps#maxOf}). The same bits as
   * the loop: only the running maximum and the sum are carried from key to key, so the vector path
   * takes the maxima first, then the exps of many keys at once, then the sum in order.
   */
  public static float onlineSoftmax(float[] x, int xOffset, int length, float max, float sum, float[] scales,
      float[] weights) {
    if (length < 0 || scales.length < length || weights.length < length) {
      throw new IllegalArgumentException("onlineSoftmax: " + length + " keys need as many scales and weights, got "
          + scales.length + " and " + weights.length);
    }
    return IMPL.onlineSoftmax(x, xOffset, length, max, sum, scales, weights);
  }

  /**
   * Copies {@code rows} runs of {@code length} elements, {@code x[xOffset + r * xStride ...]}, one
   * after another into {@code out}: a block of attention's query rows reads the same value rows,
   * which a copy puts in order instead of a head's width apart (where they fall into few cache sets).
   */
  public static void copyRows(float[] out, float[] x, int xOffset, int xStride, int rows, int length) {
    for (int r = 0; r < rows; r++) System.arraycopy(x, xOffset + r * xStride, out, r * length, length);
  }

  private static void checkRows(float[] perRow, int rows, int length, float[] acc) {
    if (rows < 0 || length < 0) {
      throw new IllegalArgumentException("weighted rows: negative rows or length (" + rows + ", " + length + ")");
    }
    if (perRow.length < rows || acc.length < length) {
      throw new IllegalArgumentException("weighted rows: " + rows + " rows of " + length + " need " + rows
          + " weights and " + length + " accumulators, got " + perRow.length + " and " + acc.length);
    }
  }
}
