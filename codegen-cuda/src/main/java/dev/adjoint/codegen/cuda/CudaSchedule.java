package dev.adjoint.codegen.cuda;

import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.kernel.Axis;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.schedule.GpuStructure;
import dev.adjoint.compiler.schedule.GpuTile;
import dev.adjoint.compiler.schedule.Schedule;
import dev.adjoint.compiler.schedule.Scheduler;
import dev.adjoint.compiler.target.CudaTarget;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How one kernel maps onto the GPU, as the CUDA schedule rules decided it
 * ({@link dev.adjoint.compiler.schedule.CudaRules} on a {@link CudaTarget}): the kernel IR says
 * what is computed, the {@link Schedule} which thread computes it, and the kernel's
 * {@link GpuStructure} what each part of it is. The emitter prints what these say.
 *
 * <p>The grid is the kernel's top map, flattened into one range of iterations. Then either
 * <ul>
 *   <li>{@link Mapping#THREAD_PER_ITERATION}: each iteration runs on one thread, in a grid-stride
 *       loop; or
 *   <li>{@link Mapping#BLOCK_PER_ITERATION}: each iteration (a row) runs on one block: the row's
 *       maps are shared among the block's threads, its reductions split among them and combined
 *       with warp shuffles and a block reduction, the rest runs on every thread alike; or
 *   <li>{@link Mapping#TILED_CONTRACTION}: a block per {@link GpuTile} of outputs of a tiled
 *       product, its operands staged in shared memory a tile's depth of the reduction at a time.
 * </ul>
 *
 * @param mapping the routine, as the emitter prints it
 * @param schedule the kernel's schedule on the target
 * @param structure the kernel's structure as the rules read it
 */
record CudaSchedule(Mapping mapping, Schedule schedule, GpuStructure structure) {
  enum Mapping { THREAD_PER_ITERATION, BLOCK_PER_ITERATION, TILED_CONTRACTION }

  CudaSchedule {
    Objects.requireNonNull(mapping, "mapping");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(structure, "structure");
    if (mapping == Mapping.TILED_CONTRACTION) {
      GpuTile t = schedule.gpuTile().orElseThrow(() -> new IllegalArgumentException(
          "kernel " + schedule.kernel() + ": a tiled product without a block tile"));
      if (structure.product().isEmpty() || t.rows() != t.columns() || t.rows() != t.depth()
          || t.threads() != t.rows() * t.columns()) {
        throw new IllegalArgumentException("kernel " + schedule.kernel() + ": the CUDA emitter prints square tiles of"
            + " one output per thread staged a tile's depth at a time, not " + t);
      }
    }
  }

  /** The schedule of {@code kernel} (structured, as lowering produces it) on {@code target}. */
  static CudaSchedule of(Kernel kernel, CudaTarget target) {
    Schedule s = Scheduler.schedule(kernel, target);
    Mapping mapping = switch (s.routine()) {
      case TILED_PRODUCT -> Mapping.TILED_CONTRACTION;
      case BLOCK_PER_ROW -> Mapping.BLOCK_PER_ITERATION;
      case THREAD_PER_ITERATION -> Mapping.THREAD_PER_ITERATION;
      default -> throw new IllegalArgumentException("kernel " + kernel.name() + ": no CUDA routine " + s.routine());
    };
    return new CudaSchedule(mapping, s, GpuStructure.of(kernel));
  }

  /** The grid's axes, outermost first. */
  List<Axis> nest() {
    return structure.grid();
  }

  /** What one iteration of the grid runs. */
  List<KStmt> body() {
    return structure.body();
  }

  /** The tile of a tiled product. */
  GpuTile tile() {
    return schedule.gpuTile().orElseThrow();
  }

  /** Whether an extent is fixed for the whole launch: literals and sizes only. */
  static boolean invariant(KExpr e) {
    return GpuStructure.invariant(e);
  }

  /** The value of an invariant extent at the given sizes. */
  static long evaluate(KExpr e, Map<String, Long> sizes) {
    return switch (e) {
      case KExpr.Const c -> (long) c.value();
      case KExpr.Size s -> s.dim().evaluate(sizes);
      case KExpr.Binary b when b.fn() == Fn.ADD -> evaluate(b.a(), sizes) + evaluate(b.b(), sizes);
      case KExpr.Binary b when b.fn() == Fn.SUB -> evaluate(b.a(), sizes) - evaluate(b.b(), sizes);
      case KExpr.Binary b when b.fn() == Fn.MUL -> evaluate(b.a(), sizes) * evaluate(b.b(), sizes);
      default -> throw new IllegalArgumentException("not a launch-time extent: " + e);
    };
  }

  /** Iterations of the grid at the given sizes: rows for a block schedule, tiles for a tiled product, threads' work otherwise. */
  long iterations(Map<String, Long> sizes) {
    long n = 1;
    List<Axis> nest = nest();
    for (int k = 0; k < nest.size(); k++) {
      long extent = Math.max(0, evaluate(nest.get(k).extent(), sizes));
      // A tiled product's unit of work is a tile of its last two axes.
      boolean tiled = mapping == Mapping.TILED_CONTRACTION && k >= nest.size() - 2;
      int side = tiled ? (k == nest.size() - 2 ? tile().rows() : tile().columns()) : 1;
      n *= (extent + side - 1) / side;
    }
    return n;
  }
}
