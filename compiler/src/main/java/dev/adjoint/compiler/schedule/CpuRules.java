package dev.adjoint.compiler.schedule;

import dev.adjoint.compiler.kernel.KernelKind;
import dev.adjoint.compiler.target.CpuTarget;
import dev.adjoint.runtime.exec.gemm.RegisterTile;
import java.util.List;

/**
 * The CPU schedule: named rules, in the order they apply, that turn a kernel and a
 * {@link CpuTarget} into a {@link Schedule}. The routine rules pick the first that fits; the
 * GEMM's tile and blocks follow BLIS ("Anatomy of High-Performance Matrix Multiplication"; Low et
 * al., "Analytical Modeling Is Enough for High-Performance BLIS"): the register tile from the
 * register file, KC from L1, MC and NC from L2.
 */
public final class CpuRules {
  private CpuRules() {}

  /** Columns of the right micro-panel's f32 that fit half of L1 set KC; these bound it. */
  static final int MIN_DEPTH_BLOCK = 64;
  static final int MAX_DEPTH_BLOCK = 512;
  /** Row panels per row block at most, so that two to sixteen threads split 128–2048 rows evenly. */
  static final int MAX_ROW_PANELS = 12;
  /** Column panels per output tile at most: the tile's rows stay short enough for the epilogue's row operations. */
  static final int MAX_COLUMN_PANELS = 16;

  // A product with fused operands and epilogue (ContractionPattern) runs on the GEMM.
  static final Rule<CpuTarget> ROUTINE_PRODUCT = new Rule<>("routine.product",
      "a product with fused operands and epilogue runs on the GEMM routine",
      (k, t, s) -> s.routine() != Routine.UNSCHEDULED || k.product().isEmpty() ? null
          : new Rule.Outcome(s.withRoutine(Routine.GEMM).withProduct(ProductShape.of(k.product().get())),
              "a product of " + k.product().get().reduction().size() + " reduction loop(s) with its epilogue"));

  // A loop that keeps a running maximum is attention's online softmax: RowKernels, a block of query rows at a time.
  static final Rule<CpuTarget> ROUTINE_ONLINE_SOFTMAX = new Rule<>("routine.online-softmax",
      "a loop that keeps a running maximum is the online softmax: RowKernels over a block of query rows",
      (k, t, s) -> s.routine() != Routine.UNSCHEDULED || !k.runningMaximum() ? null
          : new Rule.Outcome(s.withRoutine(Routine.ONLINE_SOFTMAX), "a running maximum and sum over keys"));

  // Attention's other kernels (its backward passes) run their dot products and weighted rows on RowKernels.
  static final Rule<CpuTarget> ROUTINE_ROW_KERNELS = new Rule<>("routine.row-kernels",
      "attention kernels without a running maximum run dot products and weighted rows on RowKernels",
      (k, t, s) -> s.routine() != Routine.UNSCHEDULED || k.kind() != KernelKind.ATTENTION ? null
          : new Rule.Outcome(s.withRoutine(Routine.ROW_KERNELS), "attention rows: dot products and weighted rows"));

  // Anything else runs as its loops; a contraction that is not a product says why.
  static final Rule<CpuTarget> ROUTINE_LOOPS = new Rule<>("routine.loops",
      "anything else runs as its loops; a contraction that is not a product says why",
      (k, t, s) -> s.routine() != Routine.UNSCHEDULED ? null
          : new Rule.Outcome(s.withRoutine(Routine.LOOPS),
              k.notAProduct().isEmpty() ? k.kind().label() + " loops" : "not a product: " + k.notAProduct()));

  // GEMM: the tile with the most accumulators that, with one row of each operand, fits the registers (BLIS),
  // and whose accumulators fill at most 3/4 of them (C2 keeps the rest for operands and addresses).
  static final Rule<CpuTarget> TILE_REGISTERS = new Rule<>("tile.registers",
      "the register tile with the most accumulators that fits: accumulators + one row of each operand <= registers, "
          + "accumulators <= 3/4 of them; ties: more rows",
      (k, t, s) -> {
        if (s.routine() != Routine.GEMM || !t.hasVectors()) return null;
        RegisterTile best = registerTile(t.vectorRegisters());
        return new Rule.Outcome(s.withTile(new MicroTile(best, t.f32Lanes(), t.vectorRegisters())),
            best + ": " + best.accumulators() + " accumulators + " + best.vectors() + " + 1 = " + best.registers()
                + " of " + t.vectorRegisters() + " registers");
      });

  // GEMM without the Vector API: the scalar kernel's 4 × 8 tile.
  static final Rule<CpuTarget> TILE_SCALAR = new Rule<>("tile.scalar",
      "without vectors the GEMM runs the scalar 4 x 8 tile",
      (k, t, s) -> s.routine() != Routine.GEMM || t.hasVectors() ? null
          : new Rule.Outcome(s.withTile(new MicroTile(RegisterTile.SCALAR, 1, t.vectorRegisters())), "no vectors"));

  // KC: the right micro-panel (KC × NR f32) fills at most half of L1d; the left micro-panels stream through the rest.
  static final Rule<CpuTarget> BLOCKS_DEPTH = new Rule<>("blocks.depth",
      "KC: the right micro-panel (KC x NR f32) fills at most half of L1d, the left panels stream through the rest",
      (k, t, s) -> {
        if (s.tile().isEmpty()) return null;
        int nr = s.tile().get().columns();
        int kc = depthBlock(t.l1dBytes(), nr);
        return new Rule.Outcome(s.withBlocks(new CacheBlocks(kc, 1, 1)),
            "KC " + kc + ": " + kc + " x " + nr + " x 4 B = " + kc * nr * 4 / 1024 + " KiB of L1d " + t.l1dBytes() / 1024
                + " KiB");
      });

  // MC: the packed left block (MC × KC f32) fills at most a quarter of L2, whole row panels, at most twelve.
  static final Rule<CpuTarget> BLOCKS_ROWS = new Rule<>("blocks.rows",
      "MC: the packed left block (MC x KC f32) fills at most a quarter of L2; whole row panels, at most 12",
      (k, t, s) -> {
        if (s.tile().isEmpty() || s.blocks().isEmpty()) return null;
        int mr = s.tile().get().rows();
        int kc = s.blocks().get().depth();
        int mc = rowBlock(t.l2Bytes(), kc, mr);
        return new Rule.Outcome(s.withBlocks(new CacheBlocks(kc, mc, 1)),
            "MC " + mc + " (" + mc / mr + " panels of " + mr + "): " + (long) mc * kc * 4 / 1024 + " KiB of L2 "
                + t.l2Bytes() / 1024 + " KiB");
      });

  // NC: the output tile (MC × NC f32) fills at most a quarter of L2 beside the left block, whole column panels, at most 16.
  static final Rule<CpuTarget> BLOCKS_COLUMNS = new Rule<>("blocks.columns",
      "NC: the output tile (MC x NC f32) fills at most a quarter of L2 beside the left block; whole column panels, at most 16",
      (k, t, s) -> {
        if (s.tile().isEmpty() || s.blocks().isEmpty() || s.blocks().get().rows() == 1) return null;
        int nr = s.tile().get().columns();
        CacheBlocks b = s.blocks().get();
        int nc = columnBlock(t.l2Bytes(), b.rows(), nr);
        return new Rule.Outcome(s.withBlocks(new CacheBlocks(b.depth(), b.rows(), nc)),
            "NC " + nc + " (" + nc / nr + " panels of " + nr + "): " + (long) b.rows() * nc * 4 / 1024 + " KiB of L2");
      });

  // GEMM threads: as the epilogue allows (ownership): row blocks, column groups, or one thread.
  static final Rule<CpuTarget> PARALLEL_PRODUCT = new Rule<>("parallel.product",
      "GEMM threads as the epilogue's adds allow: row blocks (or batches), column groups, or one thread",
      (k, t, s) -> {
        if (s.routine() != Routine.GEMM || k.product().isEmpty()) return null;
        ContractionPattern p = k.product().get();
        List<String> rows = p.rows().stream().map(l -> l.var()).toList();
        List<String> columns = p.columns().stream().map(l -> l.var()).toList();
        List<String> batches = p.batches().stream().map(l -> l.var()).toList();
        Parallel parallel = switch (p.ownership()) {
          case ANY -> new Parallel(concat(batches, rows), t.cores(),
              "row blocks of up to MC rows split evenly, each thread taking the next (whole batches where there are two per thread)");
          case ROWS -> new Parallel(rows, t.cores(), "row blocks of up to MC rows, each thread taking the next; batches in order");
          case COLUMNS -> new Parallel(columns, t.cores(), "column groups of whole panels, one per thread; every row in order");
          case ONE_THREAD -> Parallel.none();
        };
        return new Rule.Outcome(s.withParallel(parallel), p.ownership().name().toLowerCase(java.util.Locale.ROOT)
            + " ownership on " + (p.ownership() == dev.adjoint.runtime.exec.gemm.Ownership.ONE_THREAD ? 1 : t.cores())
            + " threads");
      });

  // A nest that adds nowhere: its iterations flattened into one range split evenly; a straight-line innermost loop stays whole.
  static final Rule<CpuTarget> PARALLEL_NEST = new Rule<>("parallel.nest",
      "a nest that adds into nothing: its iterations flattened and split evenly across the cores",
      (k, t, s) -> {
        if (s.routine() == Routine.GEMM || k.nest().isEmpty() || k.adds() != KernelFacts.Adds.NONE) return null;
        List<String> axes = k.nestVars();
        boolean rowsWhole = axes.size() > 1 && k.nest().getLast().body().stream().noneMatch(x -> x instanceof
            dev.adjoint.compiler.kernel.KStmt.Loop);
        if (rowsWhole) axes = axes.subList(0, axes.size() - 1);
        return new Rule.Outcome(s.withParallel(new Parallel(axes, t.cores(), rowsWhole
            ? "rows split evenly, each row's innermost loop whole" : "iterations split evenly")),
            String.join(", ", axes) + " across " + t.cores() + " threads");
      });

  // Adds at the own index of the parallel loop around them (column sums): threads split that loop, each running every row.
  static final Rule<CpuTarget> PARALLEL_COLUMNS = new Rule<>("parallel.columns",
      "adds at the own index of the parallel loop around them (column sums): threads split that loop, every row in order",
      (k, t, s) -> s.routine() == Routine.GEMM || k.adds() != KernelFacts.Adds.OWN_INDEX ? null
          : new Rule.Outcome(s.withParallel(new Parallel(List.of(k.splitLoop()), t.cores(),
              "columns split, every row on each thread in order")), "each column's sums stay in row order"));

  // Anything else (adds into shared places, no parallel nest) runs on the calling thread, in order.
  static final Rule<CpuTarget> PARALLEL_ONE_THREAD = new Rule<>("parallel.one-thread",
      "adds into places iterations share, or no parallel nest: the calling thread, in order",
      (k, t, s) -> s.routine() == Routine.GEMM || !s.parallel().axes().isEmpty() ? null
          : new Rule.Outcome(s.withParallel(Parallel.none()), k.nest().isEmpty() ? "no parallel nest" : "shared adds"));

  /** Every CPU rule, in the order they apply. */
  public static final List<Rule<CpuTarget>> RULES = java.util.stream.Stream.concat(java.util.stream.Stream.of(ROUTINE_PRODUCT,
      ROUTINE_ONLINE_SOFTMAX, ROUTINE_ROW_KERNELS, ROUTINE_LOOPS, TILE_REGISTERS, TILE_SCALAR, BLOCKS_DEPTH, BLOCKS_ROWS,
      BLOCKS_COLUMNS, PARALLEL_PRODUCT, PARALLEL_NEST, PARALLEL_COLUMNS, PARALLEL_ONE_THREAD),
      RowRules.RULES.stream()).toList();

  /** The family's tile with the most accumulators for {@code registers} vector registers (BLIS, with C2's margin). */
  static RegisterTile registerTile(int registers) {
    RegisterTile best = null;
    for (RegisterTile c : RegisterTile.FAMILY) {
      if (c.registers() > registers || 4 * c.accumulators() > 3 * registers) continue;
      if (best == null || c.accumulators() > best.accumulators()
          || c.accumulators() == best.accumulators() && c.rows() > best.rows()) {
        best = c;
      }
    }
    return best != null ? best : RegisterTile.FAMILY.getFirst();
  }

  /** KC for {@code l1} bytes of L1d and NR columns: half of L1 for the right micro-panel, a multiple of 8. */
  static int depthBlock(long l1, int nr) {
    long kc = l1 / 2 / (4L * nr) / 8 * 8;
    return (int) Math.clamp(kc, MIN_DEPTH_BLOCK, MAX_DEPTH_BLOCK);
  }

  /** MC for {@code l2} bytes of L2: a quarter of it for MC × KC f32, whole panels of MR, at most {@link #MAX_ROW_PANELS}. */
  static int rowBlock(long l2, int kc, int mr) {
    long panels = l2 / 4 / (4L * kc) / mr;
    return (int) Math.clamp(panels, 1, MAX_ROW_PANELS) * mr;
  }

  /** NC for {@code l2} bytes of L2: a quarter of it for MC × NC f32, whole panels of NR, at most {@link #MAX_COLUMN_PANELS}. */
  static int columnBlock(long l2, int mc, int nr) {
    long panels = l2 / 4 / (4L * mc) / nr;
    return (int) Math.clamp(panels, 1, MAX_COLUMN_PANELS) * nr;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
