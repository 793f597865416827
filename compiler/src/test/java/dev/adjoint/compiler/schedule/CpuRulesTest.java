package dev.adjoint.compiler.schedule;

import dev.adjoint.compiler.kernel.KernelKind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.target.CpuTarget;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.exec.gemm.Ownership;
import dev.adjoint.runtime.exec.gemm.RegisterTile;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One test per CPU schedule rule, on kernels of the small encoder's training step and explicit presets. */
class CpuRulesTest {
  private static final CpuTarget AVX2 = CpuTarget.avx2();
  private static final CpuTarget AVX512 = CpuTarget.avx512();

  private static KernelFacts product(Ownership ownership) {
    return StepKernels.first(k -> k.product().isPresent() && k.product().get().ownership() == ownership);
  }

  private static Schedule start(KernelFacts k) {
    return Schedule.start(k.name(), "test");
  }

  /** {@code s} with the GEMM routine and {@code tile}, as the routine and tile rules leave it. */
  private static Schedule gemm(KernelFacts k, CpuTarget t) {
    Schedule s = CpuRules.ROUTINE_PRODUCT.applyTo(k, t, start(k));
    return CpuRules.TILE_REGISTERS.applyTo(k, t, CpuRules.TILE_SCALAR.applyTo(k, t, s));
  }

  @Test
  void routineProductPutsProductsOnTheGemm() {
    KernelFacts k = product(Ownership.ANY);
    Schedule s = CpuRules.ROUTINE_PRODUCT.applyTo(k, AVX2, start(k));
    assertEquals(Routine.GEMM, s.routine());
    assertEquals(Ownership.ANY, s.product().orElseThrow().ownership());
    assertEquals(List.of("routine.product"), s.rules());
    KernelFacts attention = StepKernels.first(f -> f.kind() == KernelKind.ATTENTION);
    assertSame(start(attention).routine(), CpuRules.ROUTINE_PRODUCT.applyTo(attention, AVX2, start(attention)).routine());
  }

  @Test
  void routineOnlineSoftmaxTakesTheLoopWithARunningMaximum() {
    KernelFacts k = StepKernels.first(KernelFacts::runningMaximum);
    assertEquals(KernelKind.ATTENTION, k.kind());
    assertEquals(Routine.ONLINE_SOFTMAX, CpuRules.ROUTINE_ONLINE_SOFTMAX.applyTo(k, AVX2, start(k)).routine());
    KernelFacts backward = StepKernels.first(f -> f.kind() == KernelKind.ATTENTION && !f.runningMaximum());
    assertEquals(Routine.UNSCHEDULED, CpuRules.ROUTINE_ONLINE_SOFTMAX.applyTo(backward, AVX2, start(backward)).routine());
  }

  @Test
  void routineRowKernelsTakesTheOtherAttentionKernels() {
    KernelFacts backward = StepKernels.first(f -> f.kind() == KernelKind.ATTENTION && !f.runningMaximum());
    assertEquals(Routine.ROW_KERNELS, CpuRules.ROUTINE_ROW_KERNELS.applyTo(backward, AVX2, start(backward)).routine());
    KernelFacts reduction = StepKernels.first(f -> f.kind() == KernelKind.REDUCTION);
    assertEquals(Routine.UNSCHEDULED, CpuRules.ROUTINE_ROW_KERNELS.applyTo(reduction, AVX2, start(reduction)).routine());
  }

  @Test
  void routineLoopsTakesTheRestAndSaysWhyAContractionIsNotAProduct() {
    KernelFacts reduction = StepKernels.first(f -> f.kind() == KernelKind.REDUCTION);
    Schedule s = CpuRules.ROUTINE_LOOPS.applyTo(reduction, AVX2, start(reduction));
    assertEquals(Routine.LOOPS, s.routine());
    assertEquals("routine.loops: reduction loops", s.steps().getFirst().toString());
    KernelFacts f64 = KernelFacts.of(StepKernels.stepAt(DType.F64).kernels().stream()
        .filter(k -> k.kind() == KernelKind.CONTRACTION).findFirst().orElseThrow());
    assertEquals("routine.loops: not a product: its accumulator is f64, not f32",
        CpuRules.ROUTINE_LOOPS.applyTo(f64, AVX2, start(f64)).steps().getFirst().toString());
  }

  @Test
  void tileRegistersFillsTheRegisterFileAsBlisDoes() {
    // 6 x 2V on AVX2's 16 registers (BLIS's Haswell sgemm tile); 12 x 2V on AVX-512's 32.
    assertEquals(new RegisterTile(6, 2), CpuRules.registerTile(16));
    assertEquals(new RegisterTile(12, 2), CpuRules.registerTile(32));
    // 14 x 2V (28 accumulators, 31 registers) fits BLIS's count but leaves C2 too little: it ran at 58 % of 12 x 2V.
    assertTrue(new RegisterTile(14, 2).registers() <= 32);
    KernelFacts k = product(Ownership.ANY);
    Schedule avx2 = gemm(k, AVX2);
    assertEquals("6 x 2V = 6 x 16 f32: 12 accumulators + 2 + 1 = 15 of 16 registers", avx2.tile().orElseThrow().toString());
    Schedule avx512 = gemm(k, AVX512);
    assertEquals(12, avx512.tile().orElseThrow().rows());
    assertEquals(32, avx512.tile().orElseThrow().columns());
    assertEquals(List.of("routine.product", "tile.registers"), avx512.rules());
  }

  @Test
  void tileScalarTakesTheScalarTileWithoutVectors() {
    CpuTarget scalar = new CpuTarget("none", "scalar", 0, 16, 32, 2, 2, 32768, 524288, 8 << 20);
    KernelFacts k = product(Ownership.ANY);
    Schedule s = gemm(k, scalar);
    assertEquals(RegisterTile.SCALAR, s.tile().orElseThrow().tile());
    assertEquals(8, s.tile().orElseThrow().columns());
    assertEquals(List.of("routine.product", "tile.scalar"), s.rules());
  }

  @Test
  void blocksDepthKeepsTheRightMicroPanelInHalfOfL1() {
    assertEquals(192, CpuRules.depthBlock(48 * 1024, 32));
    assertEquals(256, CpuRules.depthBlock(32 * 1024, 16));
    assertEquals(CpuRules.MIN_DEPTH_BLOCK, CpuRules.depthBlock(1024, 32));
    assertEquals(CpuRules.MAX_DEPTH_BLOCK, CpuRules.depthBlock(1 << 20, 8));
    KernelFacts k = product(Ownership.ANY);
    assertEquals(192, CpuRules.BLOCKS_DEPTH.applyTo(k, AVX512, gemm(k, AVX512)).blocks().orElseThrow().depth());
    assertNull(CpuRules.BLOCKS_DEPTH.apply().apply(k, AVX512, start(k)), "no tile, no blocks");
  }

  @Test
  void blocksRowsKeepTheLeftBlockInAQuarterOfL2() {
    assertEquals(72, CpuRules.rowBlock(512 * 1024, 256, 6));
    assertEquals(6 * 5, CpuRules.rowBlock(128 * 1024, 256, 6), "a small L2: five panels of six rows");
    assertEquals(144, CpuRules.rowBlock(2 << 20, 192, 12));
    KernelFacts k = product(Ownership.ANY);
    Schedule s = CpuRules.BLOCKS_ROWS.applyTo(k, AVX2, CpuRules.BLOCKS_DEPTH.applyTo(k, AVX2, gemm(k, AVX2)));
    assertEquals(new CacheBlocks(256, 72, 1), s.blocks().orElseThrow());
  }

  @Test
  void blocksColumnsKeepTheOutputTileInAQuarterOfL2() {
    assertEquals(256, CpuRules.columnBlock(512 * 1024, 72, 16));
    assertEquals(512, CpuRules.columnBlock(2 << 20, 144, 32));
    assertEquals(32 * 2, CpuRules.columnBlock(128 * 1024, 96, 32), "a small L2: two panels");
    KernelFacts k = product(Ownership.ANY);
    Schedule s = gemm(k, AVX512);
    for (Rule<CpuTarget> r : List.of(CpuRules.BLOCKS_DEPTH, CpuRules.BLOCKS_ROWS, CpuRules.BLOCKS_COLUMNS)) {
      s = r.applyTo(k, AVX512, s);
    }
    assertEquals(new CacheBlocks(192, 144, 512), s.blocks().orElseThrow());
  }

  @Test
  void parallelProductSplitsAsTheEpilogueAllows() {
    KernelFacts any = product(Ownership.ANY);
    Parallel rows = CpuRules.PARALLEL_PRODUCT.applyTo(any, AVX2, gemm(any, AVX2)).parallel();
    assertEquals(2, rows.workers());
    assertTrue(rows.split().startsWith("row blocks"), rows.toString());
    KernelFacts columns = product(Ownership.COLUMNS);
    Parallel split = CpuRules.PARALLEL_PRODUCT.applyTo(columns, AVX2, gemm(columns, AVX2)).parallel();
    assertEquals(List.of(columns.product().get().columns().getFirst().var()), split.axes());
    assertTrue(split.split().startsWith("column groups"), split.toString());
  }

  @Test
  void parallelNestSplitsIterationsThatAddNowhere() {
    KernelFacts attention = StepKernels.first(KernelFacts::runningMaximum);
    Schedule s = CpuRules.PARALLEL_NEST.applyTo(attention, AVX2, start(attention));
    assertEquals(attention.nestVars(), s.parallel().axes());
    assertEquals(2, s.parallel().workers());
    KernelFacts product = product(Ownership.ANY);
    assertNull(CpuRules.PARALLEL_NEST.apply().apply(product, AVX2, gemm(product, AVX2)), "products split their own way");
  }

  @Test
  void parallelColumnsSplitsTheLoopWhoseIndexTheSumsAreAt() {
    KernelFacts norm = StepKernels.first(f -> f.adds() == KernelFacts.Adds.OWN_INDEX && f.product().isEmpty());
    Schedule s = CpuRules.PARALLEL_COLUMNS.applyTo(norm, AVX2, start(norm));
    assertEquals(List.of(norm.splitLoop()), s.parallel().axes());
    assertEquals("columns split, every row on each thread in order", s.parallel().split());
  }

  @Test
  void parallelOneThreadTakesSharedAdds() {
    KernelFacts loss = StepKernels.first(f -> f.nest().isEmpty());
    Schedule s = CpuRules.PARALLEL_ONE_THREAD.applyTo(loss, AVX2, start(loss));
    assertEquals(Parallel.none(), s.parallel());
    assertEquals(List.of("parallel.one-thread"), s.rules());
  }

  @Test
  void everyRuleHasANameAndAOneLineComment() {
    for (Rule<CpuTarget> r : CpuRules.RULES) {
      assertTrue(r.name().matches("[a-z]+(\\.[a-z-]+)+"), r.name());
      assertTrue(!r.comment().isBlank() && !r.comment().contains("\n"), r.name());
    }
    assertEquals(CpuRules.RULES.size(), CpuRules.RULES.stream().map(Rule::name).distinct().count());
  }

  @Test
  void theAvx2AndAvx512SchedulesDifferInTileAndBlocksOnly() {
    for (KernelFacts k : StepKernels.all()) {
      Schedule a = Scheduler.schedule(StepKernels.kernel(k.name()), AVX2);
      Schedule b = Scheduler.schedule(StepKernels.kernel(k.name()), AVX512);
      assertEquals(a.routine(), b.routine(), k.name());
      assertEquals(a.parallel(), b.parallel(), k.name());
      if (a.routine() == Routine.GEMM) {
        assertEquals(Optional.of(new CacheBlocks(256, 72, 256)), a.blocks());
        assertEquals(Optional.of(new CacheBlocks(192, 144, 512)), b.blocks());
      }
    }
  }
}
