package dev.adjoint.runtime.exec.gemm;

/**
 * The sizes of a batched product: {@code batches} independent products of a
 * {@code rows × depth} left operand by a {@code depth × columns} right operand.
 */
public record GemmShape(int batches, int rows, int columns, int depth) {
  public GemmShape {
    if (batches < 0 || rows < 0 || columns < 0 || depth < 0) {
      throw new IllegalArgumentException("negative size in product: batches=" + batches + ", rows=" + rows
          + ", columns=" + columns + ", depth=" + depth);
    }
  }
}
