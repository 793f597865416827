package dev.adjoint.runtime.exec.gemm;

/**
 * Multiplies one register tile: {@link #rows()} rows of a packed left panel by {@link #columns()}
 * columns of a packed right panel, over {@code depth} reduction steps, into a block of the output.
 *
 * <p>Every implementation computes, for each output element, {@code c = c + a[k] * b[k]} for
 * {@code k} ascending, the product rounded to float before the sum is (no fused multiply-add):
 * the kernel interpreter's order and rounding, so implementations agree with it and with each
 * other bit for bit.
 */
sealed interface MicroKernelF32 permits VectorMicroKernelF32, ScalarMicroKernelF32 {
  /** Rows of the register tile (MR): the interleave of the left panel. */
  int rows();

  /** Columns of the register tile (NR): the interleave of the right panel. */
  int columns();

  /**
   * {@code c[cOffset + r * cStride + j] (+)= sum over p < depth of a[aOffset + p * rows() + r] * b[bOffset + p * columns() + j]}.
   *
   * @param first whether the tile starts from zero rather than from what {@code c} holds
   */
  void multiply(int depth, float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset, int cStride,
      boolean first);

  /** A short description for logs and benchmark reports, e.g. {@code vector 6x32 (512-bit)}. */
  String describe();
}
