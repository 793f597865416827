package dev.adjoint.compiler.schedule;

/**
 * The GEMM's cache blocks (BLIS's KC, MC, NC): reduction steps per micro-kernel call, rows of the
 * left operand packed together, and columns of one output tile.
 */
public record CacheBlocks(int depth, int rows, int columns) {
  public CacheBlocks {
    if (depth < 1 || rows < 1 || columns < 1) {
      throw new IllegalArgumentException("blocks must be positive: KC " + depth + ", MC " + rows + ", NC " + columns);
    }
  }

  @Override
  public String toString() {
    return "KC " + depth + ", MC " + rows + ", NC " + columns;
  }
}
