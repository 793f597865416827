package dev.adjoint.compiler.fusion;

import static dev.adjoint.compiler.fusion.FusionFixtures.forward;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.kernel.Axis;
import dev.adjoint.compiler.kernel.IndexMap;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelKind;
import dev.adjoint.compiler.kernel.KernelPrinter;
import dev.adjoint.compiler.kernel.Reducer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The structure lowering keeps, as records rather than text (the text is in the goldens of
 * {@link FusionRulesTest}): a product is a contraction with its operands' index maps and its
 * epilogue, a softmax and a layer norm are reductions over a row, attention is an online softmax
 * over the keys.
 */
class KernelStructureTest {
  private static Kernel only(String fixture, String entry) {
    List<Kernel> kernels = forward(fixture, entry).kernels();
    assertEquals(1, kernels.size());
    return kernels.get(0);
  }

  private static List<String> vars(List<Axis> axes) {
    return axes.stream().map(Axis::var).toList();
  }

  private static String text(KExpr e) {
    return KernelPrinter.expr(e);
  }

  /** x @ w + b, relu, + residual: a map over the outputs holding the contraction and its epilogue. */
  @Test
  void aProductIsAContractionWithIndexMapsAndItsEpilogue() {
    Kernel k = only("contraction_epilogue", "Dense.forward");
    assertEquals(KernelKind.CONTRACTION, k.kind());
    KStmt.ForAll map = assertInstanceOf(KStmt.ForAll.class, k.body().get(0));
    assertEquals(1, k.body().size());
    assertEquals(List.of("i0", "i1", "i2"), vars(map.axes()));
    assertEquals(new KStmt.Declare("acc0", dev.adjoint.runtime.DType.F32, new KExpr.Const(0, dev.adjoint.runtime.DType.F32)),
        map.body().get(0));
    KStmt.Contraction c = assertInstanceOf(KStmt.Contraction.class, map.body().get(1));
    assertEquals(2, map.body().size(), "everything after the sum is its epilogue");
    assertEquals("acc0", c.accumulator());
    KStmt.Dims dims = c.dims(map.axes());
    assertEquals(List.of("i0", "i1"), vars(dims.rows()));
    assertEquals(List.of("i2"), vars(dims.columns()));
    assertEquals(List.of("r1"), vars(dims.depth()));
    assertEquals("16", text(c.axes().get(0).extent()));
    IndexMap x = c.left().access().orElseThrow().index();
    assertEquals("x", c.left().access().orElseThrow().buffer().name());
    assertEquals("1", text(x.stride("r1")));
    assertEquals("16 * T", text(x.stride("i0")));
    IndexMap w = c.right().access().orElseThrow().index();
    assertEquals("w", c.right().access().orElseThrow().buffer().name());
    assertEquals("32", text(w.stride("r1")));
    assertEquals("1", text(w.stride("i2")));
    KStmt.Store store = assertInstanceOf(KStmt.Store.class, c.epilogue().getLast());
    assertEquals("out", store.buffer().name());
    assertEquals(6, c.epilogue().size(), "bias, relu, residual: five lets and the store");
  }

  /** Scale, mask, maximum, sum, divide: one map over the rows with two reductions and a map over the row. */
  @Test
  void aRowSoftmaxIsAMaximumAndASumOverTheRowThenAMapOverIt() {
    Kernel k = only("softmax", "masked_softmax");
    assertEquals(KernelKind.REDUCTION, k.kind());
    KStmt.ForAll rows = assertInstanceOf(KStmt.ForAll.class, k.body().get(0));
    assertEquals(List.of("i0", "i1", "i2"), vars(rows.axes()));
    List<KStmt.Reduce> reductions = rows.body().stream().filter(KStmt.Reduce.class::isInstance)
        .map(KStmt.Reduce.class::cast).toList();
    assertEquals(List.of(Reducer.MAX, Reducer.SUM), reductions.stream().map(KStmt.Reduce::reducer).toList());
    assertEquals("T", text(reductions.get(0).axes().get(0).extent()));
    KStmt.ForAll row = assertInstanceOf(KStmt.ForAll.class, rows.body().getLast());
    assertEquals(List.of("i3"), vars(row.axes()));
    assertInstanceOf(KStmt.Store.class, row.body().getLast());
  }

  /** Mean, variance, normalise: two sums over the row, then a map over its elements. */
  @Test
  void aLayerNormIsTwoSumsOverTheRowThenAMapOverIt() {
    Kernel k = only("layer_norm", "Norm.forward");
    assertEquals(KernelKind.REDUCTION, k.kind());
    KStmt.ForAll rows = assertInstanceOf(KStmt.ForAll.class, k.body().get(0));
    assertEquals(List.of("i0", "i1"), vars(rows.axes()));
    List<KStmt.Reduce> reductions = rows.body().stream().filter(KStmt.Reduce.class::isInstance)
        .map(KStmt.Reduce.class::cast).toList();
    assertEquals(List.of(Reducer.SUM, Reducer.SUM), reductions.stream().map(KStmt.Reduce::reducer).toList());
    assertTrue(text(reductions.get(1).value()).startsWith("v"), "the squared deviation, a let of the body");
    assertEquals(List.of("i2"), vars(assertInstanceOf(KStmt.ForAll.class, rows.body().getLast()).axes()));
  }

  /**
   * softmax(q·kᵀ/√d + causal) · v: per query row, an online softmax over the keys whose score is a
   * dot product of a query and a key row, and whose weighted rows are value rows.
   */
  @Test
  void attentionIsAnOnlineSoftmaxOverTheKeys() {
    Kernel k = only("attention", "self_attention");
    assertEquals(KernelKind.ATTENTION, k.kind());
    KStmt.ForAll rows = assertInstanceOf(KStmt.ForAll.class, k.body().get(0));
    assertEquals(List.of("i0", "i1", "i2"), vars(rows.axes()));
    KStmt.DeclareArray acc = assertInstanceOf(KStmt.DeclareArray.class, rows.body().get(0));
    KStmt.OnlineSoftmax softmax = assertInstanceOf(KStmt.OnlineSoftmax.class, rows.body().get(3));
    assertEquals(acc.var(), softmax.accumulator());
    assertEquals("r1", softmax.key().var());
    assertEquals("T", text(softmax.key().extent()));
    assertTrue(softmax.dropout().isEmpty());
    KStmt.Contraction scores = assertInstanceOf(KStmt.Contraction.class, softmax.body().get(1));
    assertEquals("8", text(scores.axes().get(0).extent()), "the head dimension");
    assertEquals("q", scores.left().access().orElseThrow().buffer().name());
    assertEquals("k", scores.right().access().orElseThrow().buffer().name());
    assertTrue(scores.epilogue().isEmpty(), "what uses a score follows it");
    KStmt.WeightedRow row = softmax.row();
    assertEquals("8", text(row.lane().extent()));
    IndexMap values = row.value().access().orElseThrow().index();
    assertEquals("v", row.value().access().orElseThrow().buffer().name());
    assertEquals("1", text(values.stride(row.lane().var())));
    assertEquals("8", text(values.stride("r1")), "consecutive keys are value rows apart");
    KStmt.Loop epilogue = assertInstanceOf(KStmt.Loop.class, rows.body().getLast());
    assertEquals(row.lane().var(), epilogue.var());
  }
}
