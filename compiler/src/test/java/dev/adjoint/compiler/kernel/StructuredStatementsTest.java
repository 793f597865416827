package dev.adjoint.compiler.kernel;

import static dev.adjoint.compiler.kernel.K.add;
import static dev.adjoint.compiler.kernel.K.buffer;
import static dev.adjoint.compiler.kernel.K.d;
import static dev.adjoint.compiler.kernel.K.f32;
import static dev.adjoint.compiler.kernel.K.f64;
import static dev.adjoint.compiler.kernel.K.i;
import static dev.adjoint.compiler.kernel.K.idx;
import static dev.adjoint.compiler.kernel.K.load;
import static dev.adjoint.compiler.kernel.K.mul;
import static dev.adjoint.compiler.kernel.K.var;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The structured statements as values: what their constructors refuse, that they copy their lists,
 * and the loop-level form each expands to (printed, so a reader sees the loops).
 */
class StructuredStatementsTest {
  private static final Buffer X = buffer(0, "x", DType.F32, Buffer.Role.ARGUMENT, d("M"), d(8));
  private static final Buffer W = buffer(1, "w", DType.F32, Buffer.Role.PARAM, d(8), d(4));
  private static final Buffer V = buffer(2, "v", DType.F32, Buffer.Role.ARGUMENT, d("T"), d(4));
  private static final Buffer OUT = buffer(3, "out", DType.F32, Buffer.Role.OUTPUT, d("M"), d(4));
  private static final Axis ROWS = new Axis("i0", KExpr.size(d("M")));
  private static final Axis COLUMNS = new Axis("i1", idx(4));
  private static final Axis DEPTH = new Axis("r", idx(8));
  private static final Axis KEYS = new Axis("j", KExpr.size(d("T")));
  private static final Axis LANE = new Axis("l", idx(4));

  private static String printed(List<KStmt> stmts) {
    StringBuilder out = new StringBuilder();
    for (KStmt s : stmts) out.append(KernelPrinter.print(s, 0));
    return out.toString();
  }

  private static KStmt.Operand operand(String let, Buffer b, KExpr index, KExpr... logical) {
    Optional<Access> access = IndexMap.of(index, Set.of("i0", "i1", "r", "j", "l")).map(m -> new Access(b, m));
    return new KStmt.Operand(var(let, DType.F32), List.of(logical), access);
  }

  // ---- axes

  @Test
  void anAxisNeedsANameAndAnIndexExtent() {
    assertEquals("var", assertThrows(NullPointerException.class, () -> new Axis(null, idx(2))).getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Axis("", idx(2)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Axis("r", f32(2)));
    assertEquals("the extent of axis r must be i32, is f32", e.getMessage());
    assertEquals("i0 in 0..M", ROWS.toString());
  }

  // ---- maps

  @Test
  void aMapIsParallelLoopsOverItsAxesAndMergesPerfectNests() {
    KStmt store = new KStmt.Store(OUT, add(mul(i("i0"), idx(4)), i("i1")), f32(1));
    KStmt.ForAll inner = KStmt.ForAll.of(COLUMNS, List.of(store));
    KStmt.ForAll map = KStmt.ForAll.of(ROWS, List.of(inner));
    assertEquals(List.of(ROWS, COLUMNS), map.axes(), "a map whose body is a map is one map over both domains");
    assertEquals("""
        parallel for i0 in 0..M {
          parallel for i1 in 0..4 {
            out[i0 * 4 + i1] = 1.0
          }
        }
        """, printed(map.expand()));
    KStmt.Let row = new KStmt.Let("s", f32(2));
    assertEquals(List.of(ROWS), KStmt.ForAll.of(ROWS, List.of(row, inner)).axes(), "a row level stays a level");
  }

  @Test
  void aMapNeedsDistinctAxesAndCopiesItsLists() {
    assertThrows(IllegalArgumentException.class, () -> new KStmt.ForAll(List.of(), List.of()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new KStmt.ForAll(List.of(ROWS, ROWS), List.of()));
    assertEquals("a map names axis i0 twice", e.getMessage());
    List<KStmt> body = new ArrayList<>(List.of(new KStmt.Let("s", f32(2))));
    KStmt.ForAll map = new KStmt.ForAll(List.of(ROWS), body);
    body.clear();
    assertEquals(1, map.body().size());
    assertThrows(UnsupportedOperationException.class, () -> map.body().add(new KStmt.Let("t", f32(1))));
  }

  // ---- reductions

  @Test
  void aReductionFoldsItsValueIntoADeclaredAccumulator() {
    KStmt.Reduce max = new KStmt.Reduce("m", Reducer.MAX, List.of(DEPTH),
        List.of(new KStmt.Let("a", load(X, add(mul(i("i0"), idx(8)), i("r"))))), var("a", DType.F32));
    assertEquals(DType.F32, max.dtype());
    assertEquals("""
        for r in 0..8 {
          let a: f32 = x[i0 * 8 + r]
          m = max(m, a)
        }
        """, printed(max.expand()));
    assertEquals(Double.NEGATIVE_INFINITY, Reducer.MAX.identity(DType.F32).value());
    assertEquals(Fn.ADD, Reducer.SUM.combine());
    assertEquals("sum", Reducer.SUM.label());
  }

  @Test
  void aReductionNeedsItsPartsAndDistinctAxes() {
    assertEquals("accumulator", assertThrows(NullPointerException.class,
        () -> new KStmt.Reduce(null, Reducer.SUM, List.of(), List.of(), f32(1))).getMessage());
    assertEquals("reducer", assertThrows(NullPointerException.class,
        () -> new KStmt.Reduce("s", null, List.of(), List.of(), f32(1))).getMessage());
    assertEquals("value", assertThrows(NullPointerException.class,
        () -> new KStmt.Reduce("s", Reducer.SUM, List.of(), List.of(), null)).getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new KStmt.Reduce("s", Reducer.SUM, List.of(DEPTH, DEPTH), List.of(), f32(1)));
    // No axes: one step, the value folded in once.
    assertEquals("s = s + 1.0\n", printed(new KStmt.Reduce("s", Reducer.SUM, List.of(), List.of(), f32(1)).expand()));
  }

  // ---- contractions

  private static KStmt.Contraction product(List<KStmt> epilogue) {
    KExpr xIndex = add(mul(i("i0"), idx(8)), i("r"));
    KExpr wIndex = add(mul(i("r"), idx(4)), i("i1"));
    return new KStmt.Contraction("acc", List.of(DEPTH),
        List.of(new KStmt.Let("a", load(X, xIndex)), new KStmt.Let("b", load(W, wIndex))),
        operand("a", X, xIndex, i("i0"), i("r")), operand("b", W, wIndex, i("r"), i("i1")), epilogue);
  }

  @Test
  void aContractionSumsProductsThenRunsItsEpilogue() {
    KStmt store = new KStmt.Store(OUT, add(mul(i("i0"), idx(4)), i("i1")), var("acc", DType.F32));
    KStmt.Contraction c = product(List.of(store));
    assertEquals("""
        for r in 0..8 {
          let a: f32 = x[i0 * 8 + r]
          let b: f32 = w[r * 4 + i1]
          acc = acc + a * b
        }
        out[i0 * 4 + i1] = acc
        """, printed(c.expand()));
    KStmt.Dims dims = c.dims(List.of(ROWS, COLUMNS));
    assertEquals(List.of(), dims.batch());
    assertEquals(List.of(ROWS), dims.rows());
    assertEquals(List.of(COLUMNS), dims.columns());
    assertEquals(List.of(DEPTH), dims.depth());
    assertEquals("x[i0 * 8 + r]", c.left().access().orElseThrow().toString());
    assertEquals(idx(4), c.right().access().orElseThrow().index().stride("r"));
    assertEquals(Set.of("r", "i1"), c.right().variables());
    assertEquals(List.of(store), c.withEpilogue(List.of(store)).epilogue());
  }

  @Test
  void aContractionsOperandsHaveOneDtype() {
    KStmt.Operand f64 = new KStmt.Operand(f64(1), List.of(), Optional.empty());
    KStmt.Operand f32 = new KStmt.Operand(f32(1), List.of(), Optional.empty());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new KStmt.Contraction("acc", List.of(), List.of(), f64, f32, List.of()));
    assertEquals("the operands of a contraction into acc are f64 and f32", e.getMessage());
    assertEquals("access", assertThrows(NullPointerException.class,
        () -> new KStmt.Operand(f32(1), List.of(), null)).getMessage());
  }

  @Test
  void aBatchAxisIsOneBothOperandsVaryAlong() {
    KStmt.Operand left = new KStmt.Operand(var("a", DType.F32), List.of(i("i0"), i("i1"), i("r")), Optional.empty());
    KStmt.Operand right = new KStmt.Operand(var("b", DType.F32), List.of(i("i0"), i("r"), i("i2")), Optional.empty());
    KStmt.Contraction c = new KStmt.Contraction("acc", List.of(DEPTH), List.of(), left, right, List.of());
    Axis heads = new Axis("i0", idx(2));
    Axis keys = new Axis("i2", idx(3));
    KStmt.Dims dims = c.dims(List.of(heads, COLUMNS, keys));
    assertEquals(List.of(heads), dims.batch());
    assertEquals(List.of(COLUMNS), dims.rows());
    assertEquals(List.of(keys), dims.columns());
  }

  // ---- weighted sums and the online softmax

  private static KStmt.WeightedRow row() {
    KExpr vIndex = add(mul(i("j"), idx(4)), i("l"));
    return new KStmt.WeightedRow(List.of(), LANE, List.of(new KStmt.Let("o", load(V, vIndex))),
        operand("o", V, vIndex, i("j"), i("l")), true);
  }

  @Test
  void aWeightedSumAddsARowPerStep() {
    KStmt.WeightedSum sum = new KStmt.WeightedSum("acc", List.of(KEYS), List.of(new KStmt.Let("p", f32(0.5))),
        new KStmt.Operand(var("p", DType.F32), List.of(i("i0"), i("j")), Optional.empty()), row());
    assertEquals("""
        for j in 0..T {
          let p: f32 = 0.5
          for l in 0..4 {
            let o: f32 = v[j * 4 + l]
            acc[l] = acc[l] + p * o
          }
        }
        """, printed(sum.expand()));
    KStmt.Operand f64 = new KStmt.Operand(f64(1), List.of(), Optional.empty());
    assertThrows(IllegalArgumentException.class, () -> new KStmt.WeightedSum("acc", List.of(KEYS), List.of(), f64, row()));
  }

  private static KStmt.OnlineSoftmax softmax(Optional<KStmt.Dropout> dropout) {
    return new KStmt.OnlineSoftmax("m", "s", KEYS, List.of(new KStmt.Let("x", load(V, i("j")))), var("x", DType.F32),
        "n", "c", "p", dropout, "acc", row());
  }

  @Test
  void theOnlineSoftmaxKeepsARunningMaximumAndRescalesItsSumAndRows() {
    assertEquals("""
        for j in 0..T {
          let x: f32 = v[j]
          let n: f32 = max(m, x)
          let c: f32 = where(n == -inf, 1.0, exp(m - n))
          let p: f32 = where(n == -inf, 0.0, exp(x - n))
          s = s * c + p
          for l in 0..4 {
            let o: f32 = v[j * 4 + l]
            acc[l] = acc[l] * c + p * o
          }
          m = n
        }
        """, printed(softmax(Optional.empty()).expand()));
  }

  @Test
  void dropoutWeightsTheRowsButNotTheSum() {
    KStmt.Dropout dropout = new KStmt.Dropout(List.of(new KStmt.Let("u", f32(0.3))),
        new KExpr.Binary(Fn.GE, var("u", DType.F32), f32(0.1)), f32(0.9), true, "k");
    assertEquals("""
        for j in 0..T {
          let x: f32 = v[j]
          let n: f32 = max(m, x)
          let c: f32 = where(n == -inf, 1.0, exp(m - n))
          let p: f32 = where(n == -inf, 0.0, exp(x - n))
          s = s * c + p
          let u: f32 = 0.3
          let k: f32 = where(u >= 0.1, p / 0.9, 0.0)
          for l in 0..4 {
            let o: f32 = v[j * 4 + l]
            acc[l] = acc[l] * c + k * o
          }
          m = n
        }
        """, printed(softmax(Optional.of(dropout)).expand()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new KStmt.Dropout(List.of(), f32(1), f32(0.9), true, "k"));
    assertEquals("a dropout's keep is f32, not bool", e.getMessage());
  }

  @Test
  void theOnlineSoftmaxNamesEachValueOnce() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new KStmt.OnlineSoftmax("m", "s", KEYS, List.of(), f32(1), "m", "c", "p", Optional.empty(), "acc", row()));
    assertEquals("an online softmax names m twice", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new KStmt.OnlineSoftmax("m", "s", KEYS, List.of(), f64(1), "n", "c", "p", Optional.empty(), "acc", row()));
    assertEquals("dropout", assertThrows(NullPointerException.class,
        () -> new KStmt.OnlineSoftmax("m", "s", KEYS, List.of(), f32(1), "n", "c", "p", null, "acc", row())).getMessage());
  }

  // ---- flattening and kinds

  @Test
  void flatteningExpandsEveryLevel() {
    KStmt.ForAll map = new KStmt.ForAll(List.of(ROWS, COLUMNS),
        List.of(new KStmt.Declare("acc", DType.F32, f32(0)), product(List.of())));
    assertTrue(Flatten.isStructured(map.expand()), "expand goes one level down");
    List<KStmt> flat = Flatten.statements(List.of(map));
    assertTrue(!Flatten.isStructured(flat));
    assertEquals("""
        parallel for i0 in 0..M {
          parallel for i1 in 0..4 {
            var acc: f32 = 0.0
            for r in 0..8 {
              let a: f32 = x[i0 * 8 + r]
              let b: f32 = w[r * 4 + i1]
              acc = acc + a * b
            }
          }
        }
        """, printed(flat));
  }

  @Test
  void aStructuredKernelHasTheKindOfItsStructure() {
    KStmt.ForAll map = new KStmt.ForAll(List.of(ROWS, COLUMNS),
        List.of(new KStmt.Declare("acc", DType.F32, f32(0)), product(List.of(
            new KStmt.Store(OUT, add(mul(i("i0"), idx(4)), i("i1")), var("acc", DType.F32))))));
    Kernel k = Kernel.of("k0_contraction", List.of(X, W), List.of(OUT), List.of(map), List.of(), 1);
    assertEquals(KernelKind.CONTRACTION, k.kind());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Kernel("k0", KernelKind.REDUCTION, List.of(X, W), List.of(OUT), List.of(map), List.of(), 1));
    assertEquals("kernel k0 is structured as contraction, not reduction", e.getMessage());
    Kernel flat = k.flatten();
    assertEquals(KernelKind.CONTRACTION, flat.kind(), "a flattened kernel keeps the kind of its structure");
    assertEquals("k0_contraction", flat.name());
    assertTrue(!Flatten.isStructured(flat.body()));
  }
}
