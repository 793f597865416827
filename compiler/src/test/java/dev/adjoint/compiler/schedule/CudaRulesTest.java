package dev.adjoint.compiler.schedule;

import dev.adjoint.compiler.kernel.KernelKind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.target.CudaTarget;
import dev.adjoint.runtime.exec.gemm.Ownership;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One test per CUDA schedule rule, on kernels of the small encoder's training step and the presets. */
class CudaRulesTest {
  private static final CudaTarget SM80 = CudaTarget.sm80();
  private static final CudaTarget SM90 = CudaTarget.sm90();

  private static Schedule start(KernelFacts k) {
    return Schedule.start(k.name(), "test");
  }

  private static KernelFacts product() {
    return StepKernels.first(k -> k.product().isPresent() && k.product().get().ownership() == Ownership.ANY);
  }

  @Test
  void routineProductTilesProducts() {
    KernelFacts k = product();
    assertEquals(Routine.TILED_PRODUCT, CudaRules.ROUTINE_PRODUCT.applyTo(k, SM80, start(k)).routine());
  }

  @Test
  void routineRowsGivesRowsWithLoopsABlock() {
    // A layer norm's row: its sums are reductions over one axis, its normalised elements a map.
    KernelFacts rows = StepKernels.first(f -> f.gpu().rows().stream().anyMatch(r -> r instanceof GpuStructure.Row.Reduction)
        && f.gpu().rows().stream().anyMatch(r -> r instanceof GpuStructure.Row.Shared));
    assertTrue(rows.gpu().cooperative(), rows.name());
    assertEquals(Routine.BLOCK_PER_ROW, CudaRules.ROUTINE_ROWS.applyTo(rows, SM80, start(rows)).routine());
    KernelFacts product = product();
    assertEquals(Routine.UNSCHEDULED, CudaRules.ROUTINE_ROWS.applyTo(product, SM80, start(product)).routine());
    KernelFacts softmax = StepKernels.first(KernelFacts::runningMaximum);
    assertEquals(Routine.UNSCHEDULED, CudaRules.ROUTINE_ROWS.applyTo(softmax, SM80, start(softmax)).routine());
  }

  @Test
  void routineThreadsTakesTheRest() {
    KernelFacts softmax = StepKernels.first(KernelFacts::runningMaximum);
    Schedule s = CudaRules.ROUTINE_THREADS.applyTo(softmax, SM80, start(softmax));
    assertEquals(Routine.THREAD_PER_ITERATION, s.routine());
    assertEquals("cuda.routine.threads: an online softmax row per thread", s.steps().getFirst().toString());
  }

  @Test
  void tileThreadsGivesEachOutputAThreadAndLetsFourBlocksShareAnSm() {
    KernelFacts k = product();
    GpuTile sixteen = new GpuTile(16, 16, 16, 1, 256, 2176, "none (one output per thread)");
    assertEquals(sixteen, CudaRules.TILE_THREADS.applyTo(k, SM80, CudaRules.ROUTINE_PRODUCT.applyTo(k, SM80, start(k)))
        .gpuTile().orElseThrow());
    assertEquals(sixteen, CudaRules.TILE_THREADS.applyTo(k, SM90, CudaRules.ROUTINE_PRODUCT.applyTo(k, SM90, start(k)))
        .gpuTile().orElseThrow());
    // Half the registers: 128 threads a block, an 8 x 8 tile.
    CudaTarget small = new CudaTarget("small", 7, 5, 40, 48 * 1024, 64 * 1024, 16384, 1024, List.of());
    Schedule s = CudaRules.TILE_THREADS.applyTo(k, small, CudaRules.ROUTINE_PRODUCT.applyTo(k, small, start(k)));
    assertEquals(new GpuTile(8, 8, 8, 1, 64, 576, "none (one output per thread)"), s.gpuTile().orElseThrow());
    assertEquals("cuda.tile.threads: 8 x 8: 64 threads of at most 128 (16384 registers / 32 / 4 blocks)",
        s.steps().getLast().toString());
  }

  @Test
  void parallelGridFillsTheSms() {
    KernelFacts k = product();
    Schedule s = CudaRules.PARALLEL_GRID.applyTo(k, SM90, CudaRules.ROUTINE_PRODUCT.applyTo(k, SM90, start(k)));
    assertEquals(264, s.parallel().workers());
    assertEquals("a block per output tile", s.parallel().split());
    KernelFacts loss = StepKernels.first(f -> f.nest().isEmpty());
    assertEquals(Parallel.none(), CudaRules.PARALLEL_GRID.applyTo(loss, SM90, start(loss)).parallel());
  }

  @Test
  void everyRuleHasANameAndAOneLineComment() {
    for (Rule<CudaTarget> r : CudaRules.RULES) {
      assertTrue(r.name().startsWith("cuda."), r.name());
      assertTrue(!r.comment().isBlank() && !r.comment().contains("\n"), r.name());
    }
    assertEquals(List.of("cuda.routine.product", "cuda.tile.threads", "cuda.parallel.grid"),
        Scheduler.schedule(StepKernels.kernel(product().name()), SM80).rules());
  }
}
