package dev.adjoint.compiler.kernel;

import static dev.adjoint.compiler.kernel.K.buffer;
import static dev.adjoint.compiler.kernel.K.d;
import static dev.adjoint.compiler.kernel.K.f32;
import static dev.adjoint.compiler.kernel.K.i;
import static dev.adjoint.compiler.kernel.K.idx;
import static dev.adjoint.compiler.kernel.K.load;
import static dev.adjoint.compiler.kernel.K.var;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.runtime.DType;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One test per rule of {@link KernelKind#of}: the kind a kernel's structure gives it. */
class KernelKindTest {
  private static final Buffer X = buffer(0, "x", DType.F32, Buffer.Role.ARGUMENT, d(4), d(8));
  private static final Buffer IDS = buffer(1, "ids", DType.I32, Buffer.Role.ARGUMENT, d(4));
  private static final Buffer ROW = buffer(2, "row", DType.F32, Buffer.Role.OUTPUT, d(4));
  private static final Buffer OUT = buffer(3, "out", DType.F32, Buffer.Role.OUTPUT, d(4), d(8));
  private static final Axis I0 = new Axis("i0", idx(4));
  private static final Axis I1 = new Axis("i1", idx(8));
  private static final Axis R = new Axis("r", idx(8));

  private static KExpr at(String a, String b) {
    return KExpr.add(KExpr.mul(i(a), idx(8)), i(b));
  }

  private static KStmt.ForAll rows(KStmt... body) {
    return new KStmt.ForAll(List.of(I0), List.of(body));
  }

  private static KStmt.ForAll elements(KStmt... body) {
    return new KStmt.ForAll(List.of(I1), List.of(body));
  }

  private static KStmt store(Buffer b, KExpr index, KExpr value) {
    return new KStmt.Store(b, index, value);
  }

  private static KStmt sum(String acc) {
    return new KStmt.Reduce(acc, Reducer.SUM, List.of(R), List.of(new KStmt.Let("a", load(X, at("i0", "r")))),
        var("a", DType.F32));
  }

  private static KStmt declare(String acc) {
    return new KStmt.Declare(acc, DType.F32, f32(0));
  }

  @Test
  void movingElementsIsACopyAndComputingThemElementwise() {
    assertEquals(KernelKind.COPY, KernelKind.of(List.of(rows(elements(store(OUT, at("i0", "i1"), load(X, at("i1", "i0"))))))));
    KExpr exp = new KExpr.Unary(Unary.Fn.EXP, load(X, at("i0", "i1")));
    assertEquals(KernelKind.ELEMENTWISE, KernelKind.of(List.of(rows(elements(store(OUT, at("i0", "i1"), exp))))));
    // A pad's bounds test selects between a load and zero: still a copy.
    KExpr inside = new KExpr.Binary(Fn.LT, i("i1"), idx(4));
    KExpr padded = new KExpr.Select(inside, load(X, at("i0", "i1")), f32(0));
    assertEquals(KernelKind.COPY, KernelKind.of(List.of(rows(elements(store(OUT, at("i0", "i1"), padded))))));
    // A causal mask compares two loop variables: computed.
    KExpr causal = new KExpr.Select(new KExpr.Binary(Fn.LE, i("i1"), i("i0")), f32(0), f32(Double.NEGATIVE_INFINITY));
    assertEquals(KernelKind.ELEMENTWISE, KernelKind.of(List.of(rows(elements(store(OUT, at("i0", "i1"), causal))))));
    // A gather reads at a loaded position.
    KStmt gather = rows(new KStmt.Let("id", load(IDS, i("i0"))),
        elements(store(OUT, at("i0", "i1"), load(X, KExpr.add(KExpr.mul(i("id"), idx(8)), i("i1"))))));
    assertEquals(KernelKind.ELEMENTWISE, KernelKind.of(List.of(gather)));
  }

  @Test
  void aReductionMakesAReductionKernelUnlessItIsARowStatisticStoredBesideTheRow() {
    KStmt rowSum = rows(declare("s"), sum("s"), store(ROW, i("i0"), var("s", DType.F32)));
    assertEquals(KernelKind.REDUCTION, KernelKind.of(List.of(rowSum)), "the sum is the kernel's result");
    KExpr scaled = new KExpr.Binary(Fn.DIV, load(X, at("i0", "i1")), var("s", DType.F32));
    KStmt normalised = rows(declare("s"), sum("s"), elements(store(OUT, at("i0", "i1"), scaled)));
    assertEquals(KernelKind.REDUCTION, KernelKind.of(List.of(normalised)), "the sum is computed with");
    KStmt stored = rows(declare("s"), sum("s"), store(ROW, i("i0"), var("s", DType.F32)),
        elements(store(OUT, at("i0", "i1"), scaled)));
    assertEquals(KernelKind.ELEMENTWISE, KernelKind.of(List.of(stored)), "the sum is a result beside the row");
  }

  @Test
  void contractionsAttentionAndScatters() {
    KStmt.Operand a = new KStmt.Operand(var("a", DType.F32), List.of(i("i0"), i("r")), Optional.empty());
    KStmt.Operand b = new KStmt.Operand(var("b", DType.F32), List.of(i("r"), i("i1")), Optional.empty());
    List<KStmt> prologue = List.of(new KStmt.Let("a", load(X, at("i0", "r"))), new KStmt.Let("b", load(X, at("r", "i1"))));
    KStmt dot = new KStmt.Contraction("c", List.of(R), prologue, a, b, List.of());
    assertEquals(KernelKind.CONTRACTION, KernelKind.of(List.of(rows(elements(declare("c"), dot)))));
    // A dot product inside a reduction over the keys: scores recomputed where they are used.
    KStmt keys = new KStmt.Reduce("s", Reducer.SUM, List.of(new Axis("j", idx(4))), List.of(declare("c"), dot),
        var("c", DType.F32));
    assertEquals(KernelKind.ATTENTION, KernelKind.of(List.of(rows(declare("s"), keys))));
    KStmt scatter = new KStmt.Loop("i0", idx(4), false, List.of(new KStmt.Let("id", load(IDS, i("i0"))),
        new KStmt.Accumulate(OUT, KExpr.mul(i("id"), idx(8)), f32(1))));
    assertEquals(KernelKind.SCATTER, KernelKind.of(List.of(scatter)));
    KStmt columnSum = rows(elements(new KStmt.Accumulate(ROW, i("i1"), load(X, at("i0", "i1")))));
    assertEquals(KernelKind.COPY, KernelKind.of(List.of(columnSum)), "a column sum inside a map is no scatter");
    assertEquals("attention", KernelKind.ATTENTION.label());
    assertEquals("attention", KernelKind.ATTENTION.toString());
  }
}
