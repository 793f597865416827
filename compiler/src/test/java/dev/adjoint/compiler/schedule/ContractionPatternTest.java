package dev.adjoint.compiler.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Shape;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.compiler.kernel.Axis;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.Reducer;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.exec.gemm.Ownership;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The product a kernel's structured statements hold ({@link ContractionPattern}), or why they hold none. */
class ContractionPatternTest {
  private static final DType F32 = DType.F32;
  private static final Buffer A = buffer(0, "a", Buffer.Role.ARGUMENT, 8, 4);
  private static final Buffer B = buffer(1, "b", Buffer.Role.ARGUMENT, 4, 16);
  private static final Buffer BIAS = buffer(2, "bias", Buffer.Role.ARGUMENT, 16);
  private static final Buffer OUT = buffer(3, "out", Buffer.Role.OUTPUT, 8, 16);
  private static final Buffer SUMS = buffer(4, "sums", Buffer.Role.OUTPUT, 16);
  private static final Buffer BATCHED = buffer(5, "batched", Buffer.Role.OUTPUT, 2, 8, 16);
  private static final Buffer ROWS = buffer(6, "rows", Buffer.Role.OUTPUT, 8);

  private static Buffer buffer(int id, String name, Buffer.Role role, long... dims) {
    Dim[] d = new Dim[dims.length];
    for (int k = 0; k < dims.length; k++) d[k] = Dim.of(dims[k]);
    return new Buffer(id, name, new TensorType(F32, Shape.of(d)), role);
  }

  private static KExpr.Var v(String name) {
    return new KExpr.Var(name, name.startsWith("v") || name.startsWith("acc") ? F32 : DType.I32);
  }

  private static KExpr c(long value) {
    return KExpr.Const.index(value);
  }

  private static Axis axis(String var, long extent) {
    return new Axis(var, c(extent));
  }

  private static KExpr at(KExpr row, long width, KExpr column) {
    return KExpr.add(KExpr.mul(row, c(width)), column);
  }

  /** {@code a[i, r]} and {@code b[r, j]} as the prologue reads them, with their operands' indices. */
  private static KStmt.Contraction product(List<KStmt> epilogue) {
    return new KStmt.Contraction("acc", List.of(axis("r", 4)),
        List.of(new KStmt.Let("va", new KExpr.Load(A, at(v("i"), 4, v("r")))),
            new KStmt.Let("vb", new KExpr.Load(B, at(v("r"), 16, v("j"))))),
        new KStmt.Operand(v("va"), List.of(v("i"), v("r")), Optional.empty()),
        new KStmt.Operand(v("vb"), List.of(v("r"), v("j")), Optional.empty()), epilogue);
  }

  private static KStmt.Declare accumulator(DType dtype) {
    return new KStmt.Declare("acc", dtype, new KExpr.Const(0, dtype));
  }

  private static Kernel kernel(List<Buffer> writes, List<KStmt> body) {
    return Kernel.of("k", List.of(A, B, BIAS), writes, body, List.of(), 2);
  }

  private static ContractionPattern recognised(Kernel k) {
    return assertInstanceOf(ContractionPattern.Product.class, ContractionPattern.recognise(k)).pattern();
  }

  private static String rejected(Kernel k) {
    return assertInstanceOf(ContractionPattern.NotAProduct.class, ContractionPattern.recognise(k)).reason();
  }

  @Test
  void aProductIsReadOffTheContractionInsideTheMapOverItsOutputs() {
    List<KStmt> epilogue = List.of(new KStmt.Let("vbias", new KExpr.Load(BIAS, v("j"))),
        new KStmt.Store(OUT, at(v("i"), 16, v("j")), KExpr.add(v("acc"), v("vbias"))));
    Kernel k = kernel(List.of(OUT), List.of(new KStmt.ForAll(List.of(axis("i", 8), axis("j", 16)),
        List.of(accumulator(F32), product(epilogue)))));
    ContractionPattern p = recognised(k);
    assertEquals(List.of(), p.batches());
    assertEquals(List.of(axis("i", 8)), p.rows());
    assertEquals(List.of(axis("j", 16)), p.columns());
    assertEquals(List.of(axis("r", 4)), p.reduction());
    assertEquals("acc", p.accumulator());
    assertEquals(v("va"), p.left().value());
    assertEquals(v("vb"), p.right().value());
    assertEquals(List.of("va", "vb"), p.reductionLets().stream().map(KStmt.Let::var).toList());
    assertEquals(epilogue, p.epilogue());
    assertEquals(Ownership.ANY, p.ownership());
    assertEquals(java.util.Set.of("j"), p.dependsOn("vbias"));
  }

  @Test
  void columnSumsInTheEpilogueKeepEachColumnOnOneThread() {
    List<KStmt> epilogue = List.of(new KStmt.Store(OUT, at(v("i"), 16, v("j")), v("acc")),
        new KStmt.Accumulate(SUMS, v("j"), v("acc")));
    Kernel k = kernel(List.of(OUT, SUMS), List.of(new KStmt.ForAll(List.of(axis("i", 8), axis("j", 16)),
        List.of(accumulator(F32), product(epilogue)))));
    assertEquals(Ownership.COLUMNS, recognised(k).ownership());
  }

  @Test
  void anAxisBothOperandsIndexIsABatchEvenWhereOneIsBroadcastAlongIt() {
    // The left operand is a broadcast of a[i, r] along n: its index names n, its load does not.
    KStmt.Contraction broadcast = new KStmt.Contraction("acc", List.of(axis("r", 4)),
        List.of(new KStmt.Let("va", new KExpr.Load(A, at(v("i"), 4, v("r")))),
            new KStmt.Let("vb", new KExpr.Load(B, at(v("r"), 16, v("j"))))),
        new KStmt.Operand(v("va"), List.of(v("n"), v("i"), v("r")), Optional.empty()),
        new KStmt.Operand(v("vb"), List.of(v("n"), v("r"), v("j")), Optional.empty()),
        List.of(new KStmt.Store(BATCHED, at(at(v("n"), 8, v("i")), 16, v("j")), v("acc"))));
    Kernel k = kernel(List.of(BATCHED), List.of(new KStmt.ForAll(List.of(axis("n", 2), axis("i", 8), axis("j", 16)),
        List.of(accumulator(F32), broadcast))));
    ContractionPattern p = recognised(k);
    assertEquals(List.of(axis("n", 2)), p.batches());
    assertEquals(List.of(axis("i", 8)), p.rows());
    assertEquals(List.of(axis("j", 16)), p.columns());
  }

  @Test
  void aProductStoredTransposedTradesItsOperandsSoThatColumnsStayInnermost() {
    // out[j, i]: the map runs i innermost, which only the left operand varies along.
    Buffer transposed = buffer(7, "outT", Buffer.Role.OUTPUT, 16, 8);
    Kernel k = kernel(List.of(transposed), List.of(new KStmt.ForAll(List.of(axis("j", 16), axis("i", 8)),
        List.of(accumulator(F32), product(List.of(new KStmt.Store(transposed, at(v("j"), 8, v("i")), v("acc"))))))));
    ContractionPattern p = recognised(k);
    assertEquals(List.of(axis("j", 16)), p.rows());
    assertEquals(List.of(axis("i", 8)), p.columns());
    assertEquals(v("vb"), p.left().value());
    assertEquals(v("va"), p.right().value());
  }

  @Test
  void kernelsThatHoldNoProductSayWhy() {
    List<KStmt> store = List.of(new KStmt.Store(OUT, at(v("i"), 16, v("j")), v("acc")));
    assertEquals("its accumulator is f64, not f32", rejected(kernel(List.of(OUT), List.of(new KStmt.ForAll(
        List.of(axis("i", 8), axis("j", 16)), List.of(accumulator(DType.F64), product(store)))))));
    // A sum of terms is a reduction, not a product.
    KStmt.Reduce sum = new KStmt.Reduce("acc", Reducer.SUM, List.of(axis("r", 4)),
        List.of(new KStmt.Let("va", new KExpr.Load(A, at(v("i"), 4, v("r"))))), v("va"));
    assertEquals("its sum is not acc + x * y", rejected(kernel(List.of(ROWS), List.of(new KStmt.ForAll(
        List.of(axis("i", 8)), List.of(accumulator(F32), sum, new KStmt.Store(ROWS, v("i"), v("acc"))))))));
    // A matrix-vector product: its one output axis is the left operand's, so the operands trade
    // places to keep it a column, and no axis is left for the rows.
    KStmt.Contraction vector = new KStmt.Contraction("acc", List.of(axis("r", 4)),
        List.of(new KStmt.Let("va", new KExpr.Load(A, at(v("i"), 4, v("r")))),
            new KStmt.Let("vb", new KExpr.Load(B, at(v("r"), 16, c(0))))),
        new KStmt.Operand(v("va"), List.of(v("i"), v("r")), Optional.empty()),
        new KStmt.Operand(v("vb"), List.of(v("r")), Optional.empty()),
        List.of(new KStmt.Store(ROWS, v("i"), v("acc"))));
    assertEquals("no output loop varies with the left factor alone (a matrix-vector product)",
        rejected(kernel(List.of(ROWS), List.of(new KStmt.ForAll(List.of(axis("i", 8)),
            List.of(accumulator(F32), vector))))));
    // The same product at loop level: its structure is gone, and no loops are matched to find it again.
    Kernel structured = kernel(List.of(OUT), List.of(new KStmt.ForAll(List.of(axis("i", 8), axis("j", 16)),
        List.of(accumulator(F32), product(store)))));
    recognised(structured);
    assertEquals("its body is not one parallel loop nest", rejected(structured.flatten()));
  }
}
