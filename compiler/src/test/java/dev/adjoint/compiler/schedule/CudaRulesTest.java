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
    KernelFacts rows = StepKernels.first(f -> f.kind() == KernelKind.REDUCTION && f.adds() == KernelFacts.Adds.NONE
        && !f.nest().isEmpty());
    assertEquals(Routine.BLOCK_PER_ROW, CudaRules.ROUTINE_ROWS.applyTo(rows, SM80, start(rows)).routine());
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
  void tileSharedMemoryStagesAsManyBuffersAsTwoBlocksPerSmAllow() {
    KernelFacts k = product();
    Schedule a = CudaRules.TILE_SHARED_MEMORY.applyTo(k, SM80, CudaRules.ROUTINE_PRODUCT.applyTo(k, SM80, start(k)));
    assertEquals(new GpuTile(128, 128, 32, 2, 256, 65536, "mma.sync m16n8k8.tf32"), a.gpuTile().orElseThrow());
    Schedule h = CudaRules.TILE_SHARED_MEMORY.applyTo(k, SM90, CudaRules.ROUTINE_PRODUCT.applyTo(k, SM90, start(k)));
    assertEquals(3, h.gpuTile().orElseThrow().stages());
    assertEquals("wgmma m64n256k8.tf32", h.gpuTile().orElseThrow().mma());
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
    assertEquals(List.of("cuda.routine.product", "cuda.tile.shared-memory", "cuda.parallel.grid"),
        Scheduler.schedule(StepKernels.kernel(product().name()), SM80).rules());
  }
}
