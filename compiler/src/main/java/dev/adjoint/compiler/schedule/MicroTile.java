package dev.adjoint.compiler.schedule;

import dev.adjoint.runtime.exec.gemm.RegisterTile;
import java.util.Objects;

/**
 * The GEMM's register tile on a CPU target: {@code tile.rows()} rows by {@code tile.vectors()}
 * vectors of {@code lanes} f32 lanes, in a file of {@code registers} vector registers.
 */
public record MicroTile(RegisterTile tile, int lanes, int registers) {
  public MicroTile {
    Objects.requireNonNull(tile, "tile");
    if (lanes < 1 || registers < 1) throw new IllegalArgumentException("lanes and registers must be positive");
  }

  /** MR. */
  public int rows() {
    return tile.rows();
  }

  /** NR: columns of the tile (8 for the scalar tile). */
  public int columns() {
    return tile.vectors() == 0 ? 8 : tile.vectors() * lanes;
  }

  @Override
  public String toString() {
    if (tile.vectors() == 0) return "4 x 8 scalar";
    return tile.rows() + " x " + tile.vectors() + "V = " + rows() + " x " + columns() + " f32: " + tile.accumulators()
        + " accumulators + " + tile.vectors() + " + 1 = " + tile.registers() + " of " + registers + " registers";
  }
}
