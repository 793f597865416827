package dev.adjoint.compiler.schedule;

/** Which routine runs a kernel: a runtime routine the generated code calls, or loops it prints. */
public enum Routine {
  /** No rule has chosen yet. */
  UNSCHEDULED("unscheduled"),
  /** CPU: {@code GemmF32.multiply}: packed panels, a register-tiled micro-kernel, the epilogue on each finished tile. */
  GEMM("gemm (GemmF32.multiply: packed panels, register tiles, the epilogue per tile)"),
  /** CPU: the online softmax over keys ({@code RowKernels.onlineSoftmax}, weighted rows), a block of query rows at a time. */
  ONLINE_SOFTMAX("online softmax (RowKernels: scores, running maximum and sum, weighted rows)"),
  /** CPU: dot products and weighted rows over contiguous runs ({@code RowKernels}), a block of rows at a time. */
  ROW_KERNELS("row kernels (RowKernels: blocked dot products, weighted rows, row maps)"),
  /** CPU: the kernel's loops as printed (the JIT vectorises what it can). */
  LOOPS("loops"),
  /** CUDA: a block per output tile, operands staged in shared memory, tensor cores where the types allow. */
  TILED_PRODUCT("tiled product (a block per output tile, operands in shared memory)"),
  /** CUDA: a block per row; the row's loops strided across its threads, reductions by warp shuffles. */
  BLOCK_PER_ROW("block per row (strided row loops, warp-shuffle reductions)"),
  /** CUDA: a thread per iteration of the parallel nest, grid-stride. */
  THREAD_PER_ITERATION("thread per iteration (grid-stride)");

  private final String text;

  Routine(String text) {
    this.text = text;
  }

  /** As the schedule dump prints it. */
  public String text() {
    return text;
  }
}
