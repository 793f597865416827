package dev.adjoint.compiler.schedule;

import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.target.CudaTarget;
import java.util.List;

/**
 * The CUDA schedule: named rules, in order, from a kernel and a {@link CudaTarget} to a
 * {@link Schedule}: the routine, a product's block tile from the shared memory and tensor cores,
 * and the grid.
 */
public final class CudaRules {
  private CudaRules() {}

  /** Blocks of a product that share an SM, so that one's loads overlap another's math. */
  static final int BLOCKS_PER_SM = 2;
  /** Reduction steps staged per shared-memory buffer. */
  static final int TILE_DEPTH = 32;

  // A product with fused operands and epilogue runs as a tiled product: a block per output tile.
  static final Rule<CudaTarget> ROUTINE_PRODUCT = new Rule<>("cuda.routine.product",
      "a product runs as a tiled product: a block per output tile, operands staged in shared memory",
      (k, t, s) -> s.routine() != Routine.UNSCHEDULED || k.product().isEmpty() ? null
          : new Rule.Outcome(s.withRoutine(Routine.TILED_PRODUCT).withProduct(ProductShape.of(k.product().get())),
              "a product"));

  // A nest whose iterations loop over a row (norms, softmax, losses, attention rows) gets a block per row.
  static final Rule<CudaTarget> ROUTINE_ROWS = new Rule<>("cuda.routine.rows",
      "iterations that loop over a row (norms, softmax, losses) get a block per row, without a running maximum",
      (k, t, s) -> {
        if (s.routine() != Routine.UNSCHEDULED || k.nest().isEmpty() || k.runningMaximum()
            || k.adds() != KernelFacts.Adds.NONE) {
          return null;
        }
        boolean rows = k.nest().getLast().body().stream().anyMatch(x -> x instanceof KStmt.Loop);
        return rows ? new Rule.Outcome(s.withRoutine(Routine.BLOCK_PER_ROW), "rows with loops of their own") : null;
      });

  // Anything else: a thread per iteration of the parallel nest, grid-stride.
  static final Rule<CudaTarget> ROUTINE_THREADS = new Rule<>("cuda.routine.threads",
      "anything else: a thread per iteration of the parallel nest, grid-stride",
      (k, t, s) -> s.routine() != Routine.UNSCHEDULED ? null
          : new Rule.Outcome(s.withRoutine(Routine.THREAD_PER_ITERATION),
              k.runningMaximum() ? "an online softmax row per thread" : k.kind().label() + " iterations"));

  // A product's block tile: the largest square-ish tile whose staged operands, double-buffered or more, let two blocks share an SM.
  static final Rule<CudaTarget> TILE_SHARED_MEMORY = new Rule<>("cuda.tile.shared-memory",
      "block tile: the largest of 128x128, 128x64, 64x64 whose staged operands (2-4 stages) let two blocks share an SM; "
          + "warps on the largest tf32 tensor-core shape",
      (k, t, s) -> {
        if (s.routine() != Routine.TILED_PRODUCT) return null;
        long budget = Math.min(t.sharedMemoryPerBlock(), t.sharedMemoryPerSm() / BLOCKS_PER_SM);
        int[][] tiles = {{128, 128}, {128, 64}, {64, 64}};
        for (int[] tile : tiles) {
          long stage = (long) (tile[0] + tile[1]) * TILE_DEPTH * 4;
          int stages = (int) Math.min(4, budget / stage);
          if (stages < 2) continue;
          CudaTarget.Mma mma = t.largestMma("tf32");
          int threads = tile[0] * tile[1] / 64;
          GpuTile g = new GpuTile(tile[0], tile[1], TILE_DEPTH, stages, threads, (int) (stages * stage),
              mma == null ? "no tensor cores" : mma.toString());
          return new Rule.Outcome(s.withGpuTile(g), tile[0] + " x " + tile[1] + ": " + stages + " stages of "
              + stage / 1024 + " KiB in " + budget / 1024 + " KiB per block");
        }
        return null;
      });

  // The grid: a product's tiles, a block per row, or enough grid-stride blocks to fill every SM.
  static final Rule<CudaTarget> PARALLEL_GRID = new Rule<>("cuda.parallel.grid",
      "the grid: a block per output tile or per row, or grid-stride blocks filling every SM",
      (k, t, s) -> {
        List<String> axes = k.product().isPresent() && s.routine() == Routine.TILED_PRODUCT
            ? java.util.stream.Stream.of(k.product().get().batches(), k.product().get().rows(), k.product().get().columns())
                .flatMap(List::stream).map(dev.adjoint.compiler.kernel.Axis::var).toList()
            : k.nestVars();
        if (axes.isEmpty()) return new Rule.Outcome(s.withParallel(Parallel.none()), "one thread: no parallel nest");
        String split = switch (s.routine()) {
          case TILED_PRODUCT -> "a block per output tile";
          case BLOCK_PER_ROW -> "a block per row, 256 threads";
          default -> "grid-stride, 256 threads a block";
        };
        int workers = t.sms() * (s.routine() == Routine.TILED_PRODUCT ? BLOCKS_PER_SM : 8);
        return new Rule.Outcome(s.withParallel(new Parallel(axes, workers, split)),
            t.sms() + " SMs x " + workers / t.sms() + " resident blocks");
      });

  /** Every CUDA rule, in the order they apply. */
  public static final List<Rule<CudaTarget>> RULES = List.of(ROUTINE_PRODUCT, ROUTINE_ROWS, ROUTINE_THREADS,
      TILE_SHARED_MEMORY, PARALLEL_GRID);
}
