package dev.adjoint.runtime.exec.gemm;

import java.util.Objects;

/**
 * How one product runs on this machine: the micro-kernel and its register tile {@code mr × nr},
 * and the cache blocks, as a schedule (compiler/schedule) chose them for its target. Generated code
 * holds its plans in {@code static final} fields, so the JIT folds {@link #mr()} and {@link #nr()}
 * into the packers' index arithmetic as constants.
 *
 * <p>Layout: the left operand is packed in row panels of {@code mr} rows (every reduction index,
 * interleaved by row), the right operand in column panels of {@code nr} columns. A row block of
 * {@code rowBlock} rows is multiplied by column blocks of {@code columnBlock} columns,
 * {@code depthBlock} reduction steps at a time. Every output element is summed in the order of its
 * reduction index by the same kind of step, so every plan gives the same bits.
 *
 * @param kernel the micro-kernel
 * @param mr rows of its register tile (the left panel's interleave)
 * @param nr columns of its register tile (the right panel's interleave)
 * @param depthBlock reduction steps per micro-kernel call (KC): a right micro-panel of this depth stays in L1
 * @param rowBlock rows of the left operand packed and multiplied together (MC), a multiple of {@code mr}
 * @param columnBlock columns of one output tile (NC), a multiple of {@code nr}
 */
public record GemmPlan(MicroKernelF32 kernel, int mr, int nr, int depthBlock, int rowBlock, int columnBlock) {
  public GemmPlan {
    Objects.requireNonNull(kernel, "kernel");
    if (mr != kernel.rows() || nr != kernel.columns()) {
      throw new IllegalArgumentException("tile " + mr + "x" + nr + " is not the kernel's: " + kernel.describe());
    }
    if (depthBlock < 1 || rowBlock < mr || rowBlock % mr != 0 || columnBlock < nr || columnBlock % nr != 0) {
      throw new IllegalArgumentException("blocks must be whole tiles: KC=" + depthBlock + ", MC=" + rowBlock + " (MR "
          + mr + "), NC=" + columnBlock + " (NR " + nr + ")");
    }
  }

  /**
   * The plan for a {@code tileRows} × {@code tileVectors}V register tile (V: the lanes of this
   * JVM's preferred vector species) with cache blocks of about {@code rowBlock} rows,
   * {@code columnBlock} columns and {@code depthBlock} reduction steps, rounded up to whole tiles.
   * Where the Vector API is off, the scalar kernel's tile replaces the requested one.
   */
  public static GemmPlan of(int tileRows, int tileVectors, int depthBlock, int rowBlock, int columnBlock) {
    MicroKernelF32 kernel = MicroKernels.select(tileRows, tileVectors);
    int mr = kernel.rows();
    int nr = kernel.columns();
    return new GemmPlan(kernel, mr, nr, Math.max(1, depthBlock), Math.max(mr, Math.ceilDiv(rowBlock, mr) * mr),
        Math.max(nr, Math.ceilDiv(columnBlock, nr) * nr));
  }

  /** Whether each step is one fused multiply-add ({@code Math.fma}'s bits) rather than a rounded product added. */
  public boolean fusesMultiplyAdd() {
    return kernel.fusesMultiplyAdd();
  }

  /** The micro-kernel and blocks, e.g. {@code vector 12x32 (512-bit), KC 256, MC 96, NC 256}. */
  public String describe() {
    return kernel.describe() + ", KC " + depthBlock + ", MC " + rowBlock + ", NC " + columnBlock;
  }

  /**
   * Columns of the shared right operand one thread packs at a time (two panels): small enough that
   * threads waiting for the first column block pack parts of it instead of waiting.
   */
  int packUnit() {
    return 2 * nr;
  }

  /** Where the left element (row, 0) goes in a packed row block; (row, k) is {@code k * mr} further. */
  public int leftStart(int row, int depth) {
    return (row / mr) * mr * depth + row % mr;
  }

  /** Where the right element (0, column) goes in a packed panel; (k, column) is {@code k * nr} further. */
  public int rightStart(int column, int depth) {
    return (column / nr) * nr * depth + column % nr;
  }

  /**
   * Packs a run of consecutive columns of the right operand at reduction index {@code k}:
   * {@code panel[rightStart(n, depth) + k * nr] = source[sourceOffset + (n - n0)]} for
   * {@code n0 <= n < n1}, one array copy per panel the run crosses. A right packer whose operand is
   * read in order along its columns calls it instead of storing element by element.
   */
  public void packRightRun(float[] panel, int depth, int k, int n0, int n1, float[] source, int sourceOffset) {
    packRun(panel, nr, depth, k, n0, n1, source, sourceOffset);
  }

  /**
   * Packs a run of consecutive rows of the left operand at reduction index {@code k}, rows counted
   * from the block's first: {@code panel[leftStart(i, depth) + k * mr] = source[sourceOffset + (i - i0)]}
   * for {@code i0 <= i < i1}, one array copy per micro-panel the run crosses.
   */
  public void packLeftRun(float[] panel, int depth, int k, int i0, int i1, float[] source, int sourceOffset) {
    packRun(panel, mr, depth, k, i0, i1, source, sourceOffset);
  }

  /**
   * Indices {@code [from, to)} at reduction index {@code k} of panels {@code width} wide (the layout
   * of {@link #leftStart} for {@code mr}, of {@link #rightStart} for {@code nr}), one copy per panel.
   */
  private static void packRun(float[] panel, int width, int depth, int k, int from, int to, float[] source,
      int sourceOffset) {
    for (int i = from; i < to; ) {
      int end = Math.min(to, (i / width + 1) * width);
      System.arraycopy(source, sourceOffset + (i - from), panel, (i / width) * width * depth + i % width + k * width,
          end - i);
      i = end;
    }
  }
}
