package dev.adjoint.runtime.exec.vector;

import dev.adjoint.runtime.exec.VectorSupport;

/**
 * The inner loops that generated kernels call on contiguous runs of floats. Elementwise loops
 * ({@link #addScaled}, {@link #scaleAddScaled}) compute the scalar loop's bits on either path,
 * each operation rounded to float as Java's float arithmetic rounds. {@link #dot} with the Vector
 * API sums in lanes and then across them, a different order from the scalar loop's: its result
 * differs from the kernel interpreter's in the last bits (the backend's f32 tolerance, 1e-5
 * relative, covers it); the scalar path sums in index order, as the interpreter does.
 */
public final class RowKernels {
  private static final Impl IMPL = select();

  private RowKernels() {}

  /** The loops behind the static methods: vector or scalar, chosen once per process. */
  interface Impl {
    float dot(float[] x, int xOffset, float[] y, int yOffset, int length);

    void addScaled(float[] acc, float weight, float[] x, int xOffset, int length);

    void scaleAddScaled(float[] acc, float scale, float weight, float[] x, int xOffset, int length);
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
}
