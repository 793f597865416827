package dev.adjoint.runtime.exec.gemm;

/**
 * Writes rows of the left operand of a product into a panel, as {@link GemmF32} lays them out.
 * Generated code implements it by evaluating the operand's expression at every (row, k).
 */
@FunctionalInterface
public interface LeftPacker {
  /**
   * Packs rows {@code [m0, m1)} of batch {@code batch}, every reduction index {@code k}: the
   * element at (m, k) goes to {@code panel[GemmF32.leftStart(m - m0, depth) + k * GemmF32.MR]}.
   */
  void pack(int batch, int m0, int m1, float[] panel);
}
