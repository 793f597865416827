package dev.adjoint.runtime.exec.gemm;

/**
 * Consumes one finished block of the product: generated code runs the kernel's epilogue (bias,
 * activation, residual, stores) on it.
 */
@FunctionalInterface
public interface TileEpilogue {
  /**
   * The sums of rows {@code [m0, m1)} and columns {@code [n0, n1)} of batch {@code batch}: the
   * sum at (m, n) is {@code tile[(m - m0) * stride + (n - n0)]}. Rows come in ascending order,
   * and each call finishes its rows before the next call starts.
   */
  void finish(int batch, int m0, int m1, int n0, int n1, float[] tile, int stride);
}
