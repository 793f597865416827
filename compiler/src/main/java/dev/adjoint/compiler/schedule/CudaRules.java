package dev.adjoint.compiler.schedule;

import dev.adjoint.compiler.kernel.Axis;
import dev.adjoint.compiler.target.CudaTarget;
import java.util.List;

/**
 * The CUDA schedule: named rules, in order, from a kernel and a {@link CudaTarget} to a
 * {@link Schedule}: the routine, read off the kernel's structure ({@link GpuStructure}), a tiled
 * product's block tile from the target's threads, and the grid. The CUDA emitter prints what they
 * decide.
 */
public final class CudaRules {
  private CudaRules() {}

  /** Blocks of a product that share an SM, so that one's loads overlap another's math. */
  static final int BLOCKS_PER_SM = 2;
  /** Resident blocks per SM a tiled product's block size leaves room for: four, so their barriers overlap. */
  static final int RESIDENT_TILE_BLOCKS = 4;
  /** Registers a thread of a tiled product is budgeted: its accumulator, indices and the staging. */
  static final int REGISTERS_PER_THREAD = 32;

  // A row whose loops are all maps strided across threads or reductions combined across them gets a block.
  static final Rule<CudaTarget> ROUTINE_ROWS = new Rule<>("cuda.routine.rows",
      "a row whose loops are maps or one-axis reductions (norms, softmax, losses) gets a block, its loops split among the threads",
      (k, t, s) -> s.routine() != Routine.UNSCHEDULED || !k.gpu().cooperative() ? null
          : new Rule.Outcome(s.withRoutine(Routine.BLOCK_PER_ROW), "rows with loops of their own"));

  // A contraction over one axis inside the map over its outputs, operands from their own side, runs as a tiled product.
  static final Rule<CudaTarget> ROUTINE_PRODUCT = new Rule<>("cuda.routine.product",
      "a contraction inside the map over its outputs runs as a tiled product: a block per output tile, operands staged in shared memory",
      (k, t, s) -> {
        if (s.routine() != Routine.UNSCHEDULED || k.gpu().product().isEmpty()) return null;
        Schedule tiled = s.withRoutine(Routine.TILED_PRODUCT);
        if (k.product().isPresent()) tiled = tiled.withProduct(ProductShape.of(k.product().get()));
        return new Rule.Outcome(tiled, "a product");
      });

  // Anything else: a thread per iteration of the parallel nest, grid-stride.
  static final Rule<CudaTarget> ROUTINE_THREADS = new Rule<>("cuda.routine.threads",
      "anything else: a thread per iteration of the parallel nest, grid-stride",
      (k, t, s) -> s.routine() != Routine.UNSCHEDULED ? null
          : new Rule.Outcome(s.withRoutine(Routine.THREAD_PER_ITERATION),
              k.runningMaximum() ? "an online softmax row per thread" : k.kind().label() + " iterations"));

  // A product's block tile: T x T outputs, a thread each, T steps of the depth staged; the largest T whose block lets four share an SM's registers.
  static final Rule<CudaTarget> TILE_THREADS = new Rule<>("cuda.tile.threads",
      "block tile: T x T outputs, one thread each, T reduction steps staged in shared memory; the largest T of 32, 16, 8 "
          + "whose T x T threads at 32 registers each let four blocks share an SM",
      (k, t, s) -> {
        if (s.routine() != Routine.TILED_PRODUCT) return null;
        int threadsPerBlock = Math.min(t.maxThreadsPerBlock(), t.registersPerSm() / REGISTERS_PER_THREAD / RESIDENT_TILE_BLOCKS);
        for (int tile : new int[] {32, 16, 8}) {
          int threads = tile * tile;
          if (threads > threadsPerBlock) continue;
          // Both operands' tiles, a column of padding each against bank conflicts, f32.
          int shared = 2 * tile * (tile + 1) * 4;
          GpuTile g = new GpuTile(tile, tile, tile, 1, threads, shared, "none (one output per thread)");
          return new Rule.Outcome(s.withGpuTile(g), tile + " x " + tile + ": " + threads + " threads of at most "
              + threadsPerBlock + " (" + t.registersPerSm() + " registers / " + REGISTERS_PER_THREAD + " / "
              + RESIDENT_TILE_BLOCKS + " blocks)");
        }
        return null;
      });

  // The grid: a product's tiles, a block per row, or enough grid-stride blocks to fill every SM.
  static final Rule<CudaTarget> PARALLEL_GRID = new Rule<>("cuda.parallel.grid",
      "the grid: a block per output tile or per row, or grid-stride blocks filling every SM",
      (k, t, s) -> {
        List<String> axes = k.gpu().grid().stream().map(Axis::var).toList();
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
  public static final List<Rule<CudaTarget>> RULES = List.of(ROUTINE_ROWS, ROUTINE_PRODUCT, ROUTINE_THREADS,
      TILE_THREADS, PARALLEL_GRID);
}
