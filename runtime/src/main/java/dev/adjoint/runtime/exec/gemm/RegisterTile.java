package dev.adjoint.runtime.exec.gemm;

import java.util.List;

/**
 * A register tile of the micro-kernel family: {@code rows} rows of the left panel by
 * {@code vectors} vectors of the right panel (0 vectors: the scalar kernel's 4 × 8 tile).
 */
public record RegisterTile(int rows, int vectors) {
  /** The tiles the Vector API family has ({@link GemmPlan#of} takes any of them), fewest accumulators first. */
  public static final List<RegisterTile> FAMILY = List.of(new RegisterTile(4, 3), new RegisterTile(6, 2),
      new RegisterTile(8, 2), new RegisterTile(8, 3), new RegisterTile(12, 2), new RegisterTile(14, 2));

  /** The scalar kernel's tile, for a target without vectors. */
  public static final RegisterTile SCALAR = new RegisterTile(4, 0);

  public RegisterTile {
    if (rows < 1 || vectors < 0) throw new IllegalArgumentException("not a register tile: " + rows + "x" + vectors + "V");
  }

  /** Vector registers its accumulators take: {@code rows × vectors}. */
  public int accumulators() {
    return rows * vectors;
  }

  /** Vector registers one step needs: the accumulators, one row of the right panel, one broadcast of the left. */
  public int registers() {
    return accumulators() + vectors + 1;
  }

  @Override
  public String toString() {
    return vectors == 0 ? rows + "x8 scalar" : rows + "x" + vectors + "V";
  }
}
