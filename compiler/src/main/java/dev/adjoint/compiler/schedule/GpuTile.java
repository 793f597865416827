package dev.adjoint.compiler.schedule;

/**
 * A CUDA product's block tile: {@code rows × columns} outputs per block, {@code depth} reduction
 * steps staged in shared memory at a time ({@code stages} buffers of both operands), computed by
 * {@code threads} threads with the tensor-core instruction {@code mma} (or none).
 */
public record GpuTile(int rows, int columns, int depth, int stages, int threads, int sharedBytes, String mma) {
  public GpuTile {
    if (rows < 1 || columns < 1 || depth < 1 || stages < 1 || threads < 1 || sharedBytes < 0) {
      throw new IllegalArgumentException("not a block tile: " + rows + "x" + columns + "x" + depth);
    }
  }

  @Override
  public String toString() {
    return rows + " x " + columns + " x " + depth + ", " + stages + " stages (" + sharedBytes / 1024 + " KiB shared), "
        + threads + " threads, " + mma;
  }
}
