package dev.adjoint.compiler.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelKind;
import dev.adjoint.compiler.target.CpuTarget;
import dev.adjoint.runtime.DType;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * One test per row rule ({@link RowRules}), on the small encoder's attention kernels: the forward
 * pass's online softmax and the training step's backward kernels, read from their structured
 * statements.
 */
class RowRulesTest {
  private static final CpuTarget AVX2 = CpuTarget.avx2();

  /** The forward pass's attention kernel (no dropout): the online softmax over keys. */
  private static KernelFacts forwardAttention() {
    return Compilation.compile(StepKernels.SMALL_ENCODER).kernels("EncoderSmall.forward", RunOptions.defaults(), false)
        .kernels().stream().filter(k -> k.kind() == KernelKind.ATTENTION).map(KernelFacts::of).findFirst()
        .orElseThrow();
  }

  /** A backward attention kernel of the training step: a weighted sum of rows with plain weights. */
  private static KernelFacts backwardAttention() {
    return StepKernels.first(f -> f.kind() == KernelKind.ATTENTION && !f.runningMaximum()
        && f.kernel().body().getFirst() instanceof KStmt.ForAll nest
        && nest.body().stream().anyMatch(s -> s instanceof KStmt.WeightedSum));
  }

  private static Schedule routed(KernelFacts k) {
    Schedule s = Schedule.start(k.name(), "test");
    for (Rule<CpuTarget> r : List.of(CpuRules.ROUTINE_PRODUCT, CpuRules.ROUTINE_ONLINE_SOFTMAX,
        CpuRules.ROUTINE_ROW_KERNELS, CpuRules.ROUTINE_LOOPS)) {
      s = r.applyTo(k, AVX2, s);
    }
    return s;
  }

  private static Schedule after(KernelFacts k, List<Rule<CpuTarget>> rules) {
    Schedule s = routed(k);
    for (Rule<CpuTarget> r : rules) s = r.applyTo(k, AVX2, s);
    return s;
  }

  private static KStmt.ForAll nest(Kernel k) {
    return (KStmt.ForAll) k.body().stream().filter(s -> s instanceof KStmt.ForAll).findFirst().orElseThrow();
  }

  private static KStmt.OnlineSoftmax softmax(Kernel k) {
    return (KStmt.OnlineSoftmax) nest(k).body().stream().filter(s -> s instanceof KStmt.OnlineSoftmax).findFirst()
        .orElseThrow();
  }

  @Test
  void rowsDotTakesTheScoresContractionAsADotProduct() {
    KernelFacts k = forwardAttention();
    Schedule s = after(k, List.of(RowRules.DOTS));
    KStmt.Contraction scores = (KStmt.Contraction) softmax(k.kernel()).body().stream()
        .filter(x -> x instanceof KStmt.Contraction).findFirst().orElseThrow();
    assertEquals(1, s.rows().dots().size());
    RowSchedule.RowDot dot = s.rows().dots().getFirst();
    assertEquals(scores.accumulator(), dot.accumulator());
    assertEquals(scores.axes().getFirst().var(), dot.axis());
    assertEquals(scores.left().access().orElseThrow().buffer(), dot.x());
    assertEquals(scores.right().access().orElseThrow().buffer(), dot.y());
    assertEquals(List.of("rows.dot"), s.rules().subList(1, 2));
    KernelFacts gemm = StepKernels.first(f -> f.product().isPresent());
    Schedule product = routed(gemm);
    assertSame(product, RowRules.DOTS.applyTo(gemm, AVX2, product), "the GEMM's contractions are the GEMM's");
  }

  @Test
  void rowsWeightedTakesTheRowsOfTheOnlineSoftmaxAndOfWeightedSums() {
    KernelFacts forward = forwardAttention();
    RowSchedule.WeightedRows rows = after(forward, List.of(RowRules.WEIGHTED)).rows().weighted().getFirst();
    KStmt.OnlineSoftmax o = softmax(forward.kernel());
    assertEquals(o.key().var(), rows.key());
    assertEquals(o.accumulator(), rows.accumulator());
    assertTrue(rows.scaled(), "the online softmax rescales its rows");
    assertFalse(rows.copied(), "copying is the row block's decision");
    assertEquals("128", dev.adjoint.compiler.kernel.KernelPrinter.expr(rows.stride()), "a row of the values every 128");
    RowSchedule.WeightedRows plain = after(backwardAttention(), List.of(RowRules.WEIGHTED)).rows().weighted().getFirst();
    assertFalse(plain.scaled());
  }

  @Test
  void rowsBlockComputesTheScoresOfABlockOfRowsFirst() {
    KernelFacts k = forwardAttention();
    Schedule s = after(k, List.of(RowRules.DOTS, RowRules.WEIGHTED, RowRules.BLOCK));
    String rowAxis = nest(k.kernel()).axes().getLast().var();
    RowSchedule.RowBlock block = s.rows().block(rowAxis).orElseThrow();
    assertEquals(RowRules.BLOCK_ROWS, block.rows());
    assertEquals(1, block.products().size());
    RowSchedule.HoistedProduct p = block.products().getFirst();
    assertEquals(List.of(new RowSchedule.Use(s.rows().dots().getFirst().accumulator(), softmax(k.kernel()).key().var())),
        p.uses());
    assertEquals("T", dev.adjoint.compiler.kernel.KernelPrinter.expr(p.columns()), "a product per key");
    assertTrue(s.rows().weighted().getFirst().copied(), "the value rows are the same for every row of a block");
    assertNull(RowRules.BLOCK.apply().apply(k, AVX2, routed(k)), "no dot products decided, nothing to hoist");
  }

  @Test
  void rowsBlockSharesOneBlockOfProductsBetweenLoopsOverKeys() {
    KernelFacts k = StepKernels.first(f -> f.kind() == KernelKind.ATTENTION
        && nest(f.kernel()).body().stream().filter(x -> x instanceof KStmt.Reduce || x instanceof KStmt.WeightedSum)
            .count() == 2);
    Schedule s = after(k, List.of(RowRules.DOTS, RowRules.WEIGHTED, RowRules.BLOCK));
    RowSchedule.RowBlock block = s.rows().blocks().getFirst();
    assertEquals(4, s.rows().dots().size());
    assertEquals(2, block.products().size(), "the same two products in the sum and in the weighted sum");
    assertTrue(block.products().stream().allMatch(p -> p.uses().size() == 2));
  }

  @Test
  void rowsWholeRowsRunsTheScoresAndWeightsOfARowBlockAsRowOperations() {
    KernelFacts forward = forwardAttention();
    assertNull(RowRules.WHOLE_ROWS.apply().apply(forward, AVX2,
        after(forward, List.of(RowRules.DOTS, RowRules.WEIGHTED))), "only in a row block");
    Schedule s = after(forward, RowRules.RULES);
    RowSchedule.Vectorised scores = s.rows().vectorised().getFirst();
    assertEquals(RowSchedule.Role.SCORES, scores.role());
    assertEquals(softmax(forward.kernel()).max(), scores.max());
    assertEquals("1 row operation(s) (divide), 0 scratch row(s)", scores.program().toString(),
        "the scores read the block's products and divide them by sqrt(d)");
    Schedule backward = after(backwardAttention(), RowRules.RULES);
    assertEquals(RowSchedule.Role.WEIGHTS, backward.rows().vectorised().getFirst().role());
  }

  @Test
  void rowsWholeRowsLeavesTheOnlineSoftmaxWithDropoutToItsLoop() {
    Kernel k = forwardAttention().kernel();
    KStmt.ForAll nest = nest(k);
    KStmt.OnlineSoftmax o = softmax(k);
    // The same kernel with its probabilities dropped out where the score is below 0: keys then pass more than max and sum.
    KExpr keep = new KExpr.Binary(Fn.GE, o.score(), new KExpr.Const(0, DType.F32));
    KStmt.OnlineSoftmax dropped = new KStmt.OnlineSoftmax(o.max(), o.sum(), o.key(), o.body(), o.score(), o.next(),
        o.rescale(), o.weight(), Optional.of(new KStmt.Dropout(List.of(), keep, new KExpr.Const(0.9, DType.F32), true,
            "kept")), o.accumulator(), o.row());
    List<KStmt> body = nest.body().stream().map(s -> s == o ? (KStmt) dropped : s).toList();
    Kernel withDropout = Kernel.of(k.name(), k.reads(), k.writes(), List.of(new KStmt.ForAll(nest.axes(), body)),
        k.origins(), k.fusedNodes());
    Schedule s = after(KernelFacts.of(withDropout), RowRules.RULES);
    assertEquals(1, s.rows().blocks().size(), "the scores are still computed a block at a time");
    assertTrue(s.rows().weighted().getFirst().scaled());
    assertTrue(s.rows().vectorised().isEmpty(), "the loop computes its scores, weights and dropout");
  }

  @Test
  void rowsDrawsDrawsADropoutMaskAlongItsRowAsARun() {
    // The training step's dropout: random(site, row * columns + column) along the loop over columns.
    KernelFacts k = StepKernels.first(f -> !RandomRuns.of(f.kernel()).isEmpty());
    Schedule s = RowRules.DRAWS.applyTo(k, AVX2, routed(k));
    assertFalse(s.rows().randomRuns().isEmpty());
    for (RowSchedule.RandomRun run : s.rows().randomRuns()) {
      assertEquals(run, s.rows().randomRun(run.loop(), run.random()).orElseThrow());
      assertFalse(AffineIndex.mentions(run.base(), run.loop()), "the base is the same all along the loop");
    }
    // A draw at twice the loop's index is no run; one at an index of a local the loop binds is none either.
    KExpr.Random strided = new KExpr.Random(7, new KExpr.Binary(Fn.MUL, new KExpr.Var("v", DType.I32),
        KExpr.Const.index(2)), DType.F32);
    KExpr.Random local = new KExpr.Random(8, new KExpr.Binary(Fn.ADD, new KExpr.Var("w", DType.I32),
        new KExpr.Var("v", DType.I32)), DType.F32);
    KExpr.Random run = new KExpr.Random(9, new KExpr.Binary(Fn.ADD, new KExpr.Var("w0", DType.I32),
        new KExpr.Var("v", DType.I32)), DType.F32);
    List<KStmt> body = List.of(new KStmt.Let("w", KExpr.Const.index(3)), new KStmt.Let("a", strided),
        new KStmt.Let("b", local), new KStmt.Let("c", run));
    assertEquals(List.of(new RowSchedule.RandomRun("v", run, new KExpr.Var("w0", DType.I32))),
        RandomRuns.along(body, "v"));
  }
}
