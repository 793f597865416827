package dev.adjoint.runtime.exec.gemm;

/**
 * Multiplies one register tile: {@link #rows()} rows of a packed left panel by {@link #columns()}
 * columns of a packed right panel, over {@code depth} reduction steps, into a block of the output.
 *
 * <p>Every implementation computes, for each output element, {@code c = c + a[k] * b[k]} for
 * {@code k} ascending, so results never depend on blocking or threads. Whether the product is
 * rounded before the sum ({@link #fusesMultiplyAdd()} false: the kernel interpreter's bits) or
 * not ({@code Math.fma}'s bits, one rounding per step) is the implementation's to say.
 */
sealed interface MicroKernelF32 permits VectorTile4x3, VectorTile6x2, VectorTile8x2, VectorTile8x3, VectorTile12x2,
    VectorTile14x2, ScalarMicroKernelF32 {
  /** Rows of the register tile (MR): the interleave of the left panel. */
  int rows();

  /** Columns of the register tile (NR): the interleave of the right panel. */
  int columns();

  /** Vectors per row of the register tile (NR over the lanes of a vector); 0 for a scalar kernel. */
  int vectors();

  /**
   * {@code c[cOffset + r * cStride + j] (+)= sum over p < depth of a[aOffset + p * rows() + r] * b[bOffset + p * columns() + j]}.
   *
   * @param first whether the tile starts from zero rather than from what {@code c} holds
   */
  void multiply(int depth, float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset, int cStride,
      boolean first);

  /**
   * Whether each step is one fused multiply-add ({@code Math.fma(a, b, c)}) rather than a rounded
   * product added to {@code c}. Fused: half the vector instructions per step, which is what holds
   * a register tile back on cores that issue a 512-bit multiply and add per cycle each.
   */
  boolean fusesMultiplyAdd();

  /** A short description for logs and benchmark reports, e.g. {@code vector 8x32 (512-bit)}. */
  String describe();
}
