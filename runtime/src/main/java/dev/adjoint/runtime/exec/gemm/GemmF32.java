package dev.adjoint.runtime.exec.gemm;

import dev.adjoint.runtime.exec.RunContext;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The f32 product of a generated contraction kernel, blocked for the cache and tiled for registers
 * as its {@link GemmPlan} says (the schedule's micro-tile and cache blocks for its target).
 *
 * <p>For each batch the right operand is packed once into column panels of {@code nr} columns
 * (every reduction index, interleaved by column); row blocks of {@code rowBlock} rows of the left
 * operand are packed into row panels of {@code mr} rows. A row block is multiplied by column blocks
 * of {@code columnBlock} columns, {@code depthBlock} reduction steps at a time (so that a right
 * micro-panel stays in the first-level cache while the row panels stream past it), into a tile
 * that the kernel's epilogue then finishes. Threads take whole row blocks (or column blocks, or
 * batches), the next free one each; every output element is summed on one thread, in the order of its reduction index, by
 * the same kind of step whatever the thread count and the plan: results depend on neither.
 */
public final class GemmF32 {
  private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

  private GemmF32() {}

  /**
   * Whether this process's micro-kernels fuse each multiply-add (one rounding per step, as
   * {@code Math.fma}) rather than rounding the product first as the kernel interpreter does: true
   * where the Vector API is on.
   */
  public static boolean fusesMultiplyAdd() {
    return MicroKernels.vectorEnabled();
  }

  /**
   * Computes every batch of the product: packs operands with {@code left} and {@code right},
   * multiplies, and hands each finished tile to {@code epilogue}, on the threads of
   * {@code context} as {@code ownership} allows.
   */
  public static void multiply(RunContext context, GemmPlan plan, GemmShape shape, Ownership ownership,
      LeftPacker left, RightPacker right, TileEpilogue epilogue) {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(ownership, "ownership");
    Product p = new Product(plan, shape, Objects.requireNonNull(left, "left"), Objects.requireNonNull(right, "right"),
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
        int width = columnGroup(plan, shape.columns(), threads);
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
  private record Product(GemmPlan plan, GemmShape shape, LeftPacker left, RightPacker right, TileEpilogue epilogue) {
    /** Columns rounded up to whole panels, and the packed right operand's length. */
    int paddedColumns() {
      return ceilDiv(shape.columns(), plan.nr()) * plan.nr();
    }

    int rightLength() {
      return Math.multiplyExact(paddedColumns(), Math.max(shape.depth(), 1));
    }

    /**
     * Batch {@code b}: row blocks split across the threads, which share one packed right operand;
     * its columns are packed in units of {@link GemmPlan#packUnit()} columns, each by the first thread that needs it
     * or is free to (one parallel phase, not a packing phase and a barrier before the products).
     */
    void byRowBlocks(RunContext context, int b) {
      SharedRight shared = new SharedRight(b, WORKSPACE.get().shared(rightLength()),
          new AtomicIntegerArray(ceilDiv(shape.columns(), plan.packUnit())));
      int size = balancedRowBlock(plan, shape.rows(), context.pool().threads());
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
      int unit = plan.packUnit();
      int first = n0 / unit;
      int last = ceilDiv(n1, unit);
      for (int u = first; u < last; u++) claim(shared, u);
      for (int u = last; u < state.length() && !packed(state, first, last); u++) claim(shared, u);
      for (int u = first; u < last; u++) {
        for (int s = state.get(u); s != SharedRight.PACKED; s = state.get(u)) {
          if (s == SharedRight.FAILED) {
            throw new IllegalStateException("packing columns " + u * unit + " to "
                + Math.min(shape.columns(), (u + 1) * unit) + " failed on another thread");
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
        int width = plan.packUnit();
        packRight(shared.batch(), unit * width, Math.min(shape.columns(), (unit + 1) * width), shared.packed());
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
      for (int m0 = 0; m0 < shape.rows(); m0 += plan.rowBlock()) {
        rowBlock(b, m0, Math.min(shape.rows(), m0 + plan.rowBlock()), n0, n1, packed, null, w);
      }
    }

    private void packRight(int b, int n0, int n1, float[] packed) {
      right.pack(b, n0, n1, packed);
      int depth = shape.depth();
      // Columns past the last one fill the final panel: zeros, so the sums there stay finite.
      if (n1 == shape.columns()) {
        for (int n = n1; n < paddedColumns(); n++) {
          int at = plan.rightStart(n, depth);
          for (int k = 0; k < depth; k++) packed[at + k * plan.nr()] = 0.0f;
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
      int mr = plan.mr();
      int nr = plan.nr();
      int kc = plan.depthBlock();
      int nc = plan.columnBlock();
      MicroKernelF32 kernel = plan.kernel();
      int rows = m1 - m0;
      int paddedRows = ceilDiv(rows, mr) * mr;
      float[] packedLeft = w.left(Math.multiplyExact(plan.rowBlock(), Math.max(depth, 1)));
      left.pack(b, m0, m1, packedLeft);
      for (int r = rows; r < paddedRows; r++) {
        int at = plan.leftStart(r, depth);
        for (int k = 0; k < depth; k++) packedLeft[at + k * mr] = 0.0f;
      }
      float[] tile = w.tile(plan.rowBlock() * nc);
      for (int c0 = n0; c0 < n1; c0 += nc) {
        int c1 = Math.min(n1, c0 + nc);
        if (shared != null) awaitPacked(shared, c0, c1);
        if (depth == 0) Arrays.fill(tile, 0.0f);
        for (int k0 = 0; k0 < depth; k0 += kc) {
          int steps = Math.min(kc, depth - k0);
          for (int j = c0; j < c1; j += nr) {
            int bOffset = (j / nr) * nr * depth + k0 * nr;
            for (int i = 0; i < paddedRows; i += mr) {
              kernel.multiply(steps, packedLeft, i * depth + k0 * mr, packedRight, bOffset, tile, i * nc + (j - c0), nc,
                  k0 == 0);
            }
          }
        }
        epilogue.finish(b, m0, m1, c0, c1, tile, nc);
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
   * the plan's {@code mr}, at most its {@code rowBlock}, and as close as that allows to an even split into a
   * multiple of {@code threads} blocks (1024 rows on two threads: twelve blocks of 88, not ten of
   * 96 and one of 64, of which one thread would get six).
   */
  static int balancedRowBlock(GemmPlan plan, int rows, int threads) {
    int mr = plan.mr();
    int blocks = ceilDiv(ceilDiv(rows, plan.rowBlock()), threads) * threads;
    return Math.min(plan.rowBlock(), Math.max(mr, ceilDiv(ceilDiv(rows, blocks), mr) * mr));
  }

  /**
   * Columns per group when each group of columns is one thread's ({@link Ownership#COLUMNS}): whole
   * panels, at most the plan's {@code columnBlock}, and enough groups for every thread (128 columns on two
   * threads: two groups of 64, not one of 128 on one thread). Each group packs every row of the
   * left operand, so groups are no narrower than the threads need.
   */
  static int columnGroup(GemmPlan plan, int columns, int threads) {
    int nr = plan.nr();
    return Math.min(plan.columnBlock(), Math.max(nr, ceilDiv(ceilDiv(columns, threads), nr) * nr));
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
