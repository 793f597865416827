package dev.adjoint.runtime.exec.gemm;

/**
 * Which parts of a product one thread must own, so that an epilogue that adds into a buffer
 * ({@code out[n] += ...}) adds in the same order on any number of threads.
 */
public enum Ownership {
  /** The epilogue only stores: tiles may run on any thread. */
  ANY,
  /** The epilogue adds into a location per column: one thread runs every row of a column, batches and rows in order. */
  COLUMNS,
  /** The epilogue adds into a location per row: one thread runs every column of a row, batches in order. */
  ROWS,
  /** The epilogue adds into locations shared by rows and columns: everything runs on the calling thread, in order. */
  ONE_THREAD
}
