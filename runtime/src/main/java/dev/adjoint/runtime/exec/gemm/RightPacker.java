package dev.adjoint.runtime.exec.gemm;

/**
 * Writes columns of the right operand of a product into a panel, as {@link GemmF32} lays them
 * out. Generated code implements it by evaluating the operand's expression at every (k, column).
 */
@FunctionalInterface
public interface RightPacker {
  /**
   * Packs columns {@code [n0, n1)} of batch {@code batch}, every reduction index {@code k}: the
   * element at (k, n) goes to {@code panel[GemmF32.rightStart(n, depth) + k * GemmF32.NR]}.
   */
  void pack(int batch, int n0, int n1, float[] panel);
}
