package dev.adjoint.runtime.exec.gemm;

import dev.adjoint.runtime.exec.RunContext;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The f32 product of a generated contraction kernel, blocked for the cache and tiled for registers.
 *
 * <p>For each batch the right operand is packed once into column panels of {@link #NR} columns
 * (every reduction index, interleaved by column); row blocks of {@link #ROW_BLOCK} rows of the left
 * operand are packed into row panels of {@link #MR} rows. A row block is multiplied by column blocks
 * of {@link #COLUMN_BLOCK} columns, {@link #DEPTH_BLOCK} reduction steps at a time (so that a right
 * micro-panel stays in the first-level cache while the row panels stream past it), into a tile
 * that the kernel's epilogue then finishes. Threads take whole row blocks (or column blocks, or
 * batches), the next free one each; every output element is summed on one thread, in the order of its reduction index, by
 * the same micro-kernel whatever the thread count: results do not depend on it.
 */
public final class GemmF32 {
  private static final MicroKernelF32 KERNEL = MicroKernels.select();
  /** Rows of a register tile: the interleave of a packed left panel. */
  public static final int MR = KERNEL.rows();
  /** Columns of a register tile: the interleave of a packed right panel. */
  public static final int NR = KERNEL.columns();
  /** Rows of the left operand packed and multiplied together (a multiple of {@link #MR}). */
  static final int ROW_BLOCK = MR * 12;
  /** Columns of one output tile (a multiple of {@link #NR}). */
  static final int COLUMN_BLOCK = NR * 8;
  /** Reduction steps per micro-kernel call: a right micro-panel of this depth fits the first-level cache. */
  static final int DEPTH_BLOCK = 256;
  /**
   * Columns of the shared right operand one thread packs at a time (whole panels): small enough
   * that threads waiting for the first column block pack parts of it instead of waiting.
   */
  static final int PACK_UNIT = NR * 2;

  private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

  private GemmF32() {}

  /**
   * Whether the micro-kernel in use fuses each multiply-add (one rounding per step, as
   * {@code Math.fma}) rather than rounding the product first as the kernel interpreter does.
   */
  public static boolean fusesMultiplyAdd() {
    return KERNEL.fusesMultiplyAdd();
  }

  /** Which micro-kernel runs, e.g. {@code vector 8x32 (512-bit)} or {@code scalar 4x8}. */
  public static String microKernel() {
    return KERNEL.describe();
  }

  /** Where the left element (row, 0) goes in a packed row block; (row, k) is {@code k * MR} further. */
  public static int leftStart(int row, int depth) {
    return (row / MR) * MR * depth + row % MR;
  }

  /** Where the right element (0, column) goes in a packed panel; (k, column) is {@code k * NR} further. */
  public static int rightStart(int column, int depth) {
    return (column / NR) * NR * depth + column % NR;
  }

  /**
   * Packs a run of consecutive columns of the right operand at reduction index {@code k}:
   * {@code panel[rightStart(n, depth) + k * NR] = source[sourceOffset + (n - n0)]} for
   * {@code n0 <= n < n1}, one array copy per panel the run crosses. A right packer whose operand is
   * read in order along its columns calls it instead of storing element by element.
   */
  public static void packRightRun(float[] panel, int depth, int k, int n0, int n1, float[] source, int sourceOffset) {
    packRun(panel, NR, depth, k, n0, n1, source, sourceOffset);
  }

  /**
   * Packs a run of consecutive rows of the left operand at reduction index {@code k}, rows counted
   * from the block's first: {@code panel[leftStart(i, depth) + k * MR] = source[sourceOffset + (i - i0)]}
   * for {@code i0 <= i < i1}, one array copy per micro-panel the run crosses.
   */
  public static void packLeftRun(float[] panel, int depth, int k, int i0, int i1, float[] source, int sourceOffset) {
    packRun(panel, MR, depth, k, i0, i1, source, sourceOffset);
  }

  /**
   * Indices {@code [from, to)} at reduction index {@code k} of panels {@code width} wide (the layout
   * of {@link #leftStart} for {@link #MR}, of {@link #rightStart} for {@link #NR}), one copy per panel.
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

  /**
   * Computes every batch of the product: packs operands with {@code left} and {@code right},
   * multiplies, and hands each finished tile to {@code epilogue}, on the threads of
   * {@code context} as {@code ownership} allows.
   */
  public static void multiply(RunContext context, GemmShape shape, Ownership ownership, LeftPacker left,
      RightPacker right, TileEpilogue epilogue) {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(ownership, "ownership");
    Product p = new Product(shape, Objects.requireNonNull(left, "left"), Objects.requireNonNull(right, "right"),
        Objects.requireNonNull(epilogue, "epilogue"));
    if (shape.batches() == 0 || shape.rows() == 0 || shape.columns() == 0) return;
    int threads = context.pool().threads();
    switch (ownership) {
      case ANY -> {
        if (shape.batches() >= 2 * threads) {
          eachOnAnyThread(context, shape.batches(), b -> p.wholeBatch(b, 0, shape.columns()));
        } else {
          for (int b = 0; b < shape.batches(); b++) p.byRowBlocks(context, b);
        }
      }
      case ROWS -> {
        for (int b = 0; b < shape.batches(); b++) p.byRowBlocks(context, b);
      }
      case COLUMNS -> {
        int width = columnGroup(shape.columns(), threads);
        eachOnAnyThread(context, ceilDiv(shape.columns(), width), group -> {
          int n0 = group * width;
          int n1 = Math.min(shape.columns(), n0 + width);
          for (int b = 0; b < shape.batches(); b++) p.wholeBatch(b, n0, n1);
        });
      }
      case ONE_THREAD -> {
        for (int b = 0; b < shape.batches(); b++) p.wholeBatch(b, 0, shape.columns());
      }
    }
  }

  /** One call's operands and sizes, and the loops over its blocks. */
  private record Product(GemmShape shape, LeftPacker left, RightPacker right, TileEpilogue epilogue) {
    /** Columns rounded up to whole panels, and the packed right operand's length. */
    int paddedColumns() {
      return ceilDiv(shape.columns(), NR) * NR;
    }

    int rightLength() {
      return Math.multiplyExact(paddedColumns(), Math.max(shape.depth(), 1));
    }

    /**
     * Batch {@code b}: row blocks split across the threads, which share one packed right operand;
     * its columns are packed in units of {@link #PACK_UNIT}, each by the first thread that needs it
     * or is free to (one parallel phase, not a packing phase and a barrier before the products).
     */
    void byRowBlocks(RunContext context, int b) {
      SharedRight shared = new SharedRight(b, WORKSPACE.get().shared(rightLength()),
          new AtomicIntegerArray(ceilDiv(shape.columns(), PACK_UNIT)));
      int size = balancedRowBlock(shape.rows(), context.pool().threads());
      eachOnAnyThread(context, ceilDiv(shape.rows(), size), block -> {
        int m0 = block * size;
        rowBlock(b, m0, Math.min(shape.rows(), m0 + size), 0, shape.columns(), shared.packed(), shared,
            WORKSPACE.get());
      });
    }

    /** The packed right operand of one batch and, per unit of columns, whether it is packed yet. */
    private record SharedRight(int batch, float[] packed, AtomicIntegerArray state) {
      private static final int PACKING = 1;
      private static final int PACKED = 2;
      /** Its packer threw on another thread: waiting would never end. */
      private static final int FAILED = 3;
    }

    /**
     * Returns once columns {@code [n0, n1)} of {@code shared} are packed: packs the units of them
     * no thread has started, then, while another thread finishes one, the units after them, which
     * every row block needs too.
     */
    private void awaitPacked(SharedRight shared, int n0, int n1) {
      AtomicIntegerArray state = shared.state();
      int first = n0 / PACK_UNIT;
      int last = ceilDiv(n1, PACK_UNIT);
      for (int u = first; u < last; u++) claim(shared, u);
      for (int u = last; u < state.length() && !packed(state, first, last); u++) claim(shared, u);
      for (int u = first; u < last; u++) {
        for (int s = state.get(u); s != SharedRight.PACKED; s = state.get(u)) {
          if (s == SharedRight.FAILED) {
            throw new IllegalStateException("packing columns " + u * PACK_UNIT + " to "
                + Math.min(shape.columns(), (u + 1) * PACK_UNIT) + " failed on another thread");
          }
          Thread.onSpinWait();
        }
      }
    }

    private static boolean packed(AtomicIntegerArray state, int first, int last) {
      for (int u = first; u < last; u++) if (state.get(u) != SharedRight.PACKED) return false;
      return true;
    }

    /** Packs unit {@code unit} of the columns if no thread has started it. */
    private void claim(SharedRight shared, int unit) {
      AtomicIntegerArray state = shared.state();
      if (state.get(unit) != 0 || !state.compareAndSet(unit, 0, SharedRight.PACKING)) return;
      try {
        packRight(shared.batch(), unit * PACK_UNIT, Math.min(shape.columns(), (unit + 1) * PACK_UNIT), shared.packed());
      } catch (RuntimeException | Error e) {
        state.set(unit, SharedRight.FAILED);
        throw e;
      }
      state.set(unit, SharedRight.PACKED);
    }

    /** Columns {@code [n0, n1)} of batch {@code b} on this thread alone, rows in order. */
    void wholeBatch(int b, int n0, int n1) {
      Workspace w = WORKSPACE.get();
      float[] packed = w.right(rightLength());
      packRight(b, n0, n1, packed);
      for (int m0 = 0; m0 < shape.rows(); m0 += ROW_BLOCK) {
        rowBlock(b, m0, Math.min(shape.rows(), m0 + ROW_BLOCK), n0, n1, packed, null, w);
      }
    }

    private void packRight(int b, int n0, int n1, float[] packed) {
      right.pack(b, n0, n1, packed);
      int depth = shape.depth();
      // Columns past the last one fill the final panel: zeros, so the sums there stay finite.
      if (n1 == shape.columns()) {
        for (int n = n1; n < paddedColumns(); n++) {
          int at = rightStart(n, depth);
          for (int k = 0; k < depth; k++) packed[at + k * NR] = 0.0f;
        }
      }
    }

    /**
     * Rows {@code [m0, m1)} by columns {@code [n0, n1)}: pack the rows, multiply tile by tile, finish
     * each tile. {@code shared}, when not null, packs {@code packedRight}'s column groups on demand.
     */
    private void rowBlock(int b, int m0, int m1, int n0, int n1, float[] packedRight, SharedRight shared,
        Workspace w) {
      int depth = shape.depth();
      int rows = m1 - m0;
      int paddedRows = ceilDiv(rows, MR) * MR;
      float[] packedLeft = w.left(Math.multiplyExact(ROW_BLOCK, Math.max(depth, 1)));
      left.pack(b, m0, m1, packedLeft);
      for (int r = rows; r < paddedRows; r++) {
        int at = leftStart(r, depth);
        for (int k = 0; k < depth; k++) packedLeft[at + k * MR] = 0.0f;
      }
      float[] tile = w.tile(ROW_BLOCK * COLUMN_BLOCK);
      for (int c0 = n0; c0 < n1; c0 += COLUMN_BLOCK) {
        int c1 = Math.min(n1, c0 + COLUMN_BLOCK);
        if (shared != null) awaitPacked(shared, c0, c1);
        if (depth == 0) Arrays.fill(tile, 0.0f);
        for (int k0 = 0; k0 < depth; k0 += DEPTH_BLOCK) {
          int steps = Math.min(DEPTH_BLOCK, depth - k0);
          for (int j = c0; j < c1; j += NR) {
            int bOffset = (j / NR) * NR * depth + k0 * NR;
            for (int i = 0; i < paddedRows; i += MR) {
              KERNEL.multiply(steps, packedLeft, i * depth + k0 * MR, packedRight, bOffset, tile,
                  i * COLUMN_BLOCK + (j - c0), COLUMN_BLOCK, k0 == 0);
            }
          }
        }
        epilogue.finish(b, m0, m1, c0, c1, tile, COLUMN_BLOCK);
      }
    }
  }

  /** One block of work, by number. */
  @FunctionalInterface
  private interface Block {
    void run(int index);
  }

  /**
   * Runs blocks {@code [0, count)} on the pool's threads, each taking the next block when it is
   * free, so a thread that the machine's other work slows takes fewer blocks. Which thread runs a
   * block does not change what the block computes.
   */
  private static void eachOnAnyThread(RunContext context, int count, Block block) {
    int workers = Math.min(context.pool().threads(), count);
    if (workers <= 1) {
      for (int i = 0; i < count; i++) block.run(i);
      return;
    }
    AtomicInteger next = new AtomicInteger();
    context.parallelFor(workers, (start, end) -> {
      for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) block.run(i);
    });
  }

  /**
   * Rows per block when {@code threads} threads share a product's row blocks: a multiple of
   * {@link #MR}, at most {@link #ROW_BLOCK}, and as close as that allows to an even split into a
   * multiple of {@code threads} blocks (1024 rows on two threads: twelve blocks of 88, not ten of
   * 96 and one of 64, of which one thread would get six).
   */
  static int balancedRowBlock(int rows, int threads) {
    int blocks = ceilDiv(ceilDiv(rows, ROW_BLOCK), threads) * threads;
    return Math.min(ROW_BLOCK, Math.max(MR, ceilDiv(ceilDiv(rows, blocks), MR) * MR));
  }

  /**
   * Columns per group when each group of columns is one thread's ({@link Ownership#COLUMNS}): whole
   * panels, at most {@link #COLUMN_BLOCK}, and enough groups for every thread (128 columns on two
   * threads: two groups of 64, not one of 128 on one thread). Each group packs every row of the
   * left operand, so groups are no narrower than the threads need.
   */
  static int columnGroup(int columns, int threads) {
    return Math.min(COLUMN_BLOCK, Math.max(NR, ceilDiv(ceilDiv(columns, threads), NR) * NR));
  }

  private static int ceilDiv(int a, int b) {
    return Math.ceilDiv(a, b);
  }

  /** One thread's packing and tile buffers, kept between calls and grown when a product needs more. */
  private static final class Workspace {
    private float[] left = new float[0];
    private float[] right = new float[0];
    private float[] shared = new float[0];
    private float[] tile = new float[0];

    float[] left(int length) {
      if (left.length < length) left = new float[length];
      return left;
    }

    float[] right(int length) {
      if (right.length < length) right = new float[length];
      return right;
    }

    /** The right operand that every thread reads during one batch of {@link Product#byRowBlocks}. */
    float[] shared(int length) {
      if (shared.length < length) shared = new float[length];
      return shared;
    }

    float[] tile(int length) {
      if (tile.length < length) tile = new float[length];
      return tile;
    }
  }
}
