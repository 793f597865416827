package dev.adjoint.codegen.java;

import static dev.adjoint.codegen.java.HandWrittenPrograms.bin;
import static dev.adjoint.codegen.java.HandWrittenPrograms.buffer;
import static dev.adjoint.codegen.java.HandWrittenPrograms.c;
import static dev.adjoint.codegen.java.HandWrittenPrograms.load;
import static dev.adjoint.codegen.java.HandWrittenPrograms.v;
import static dev.adjoint.runtime.DType.F32;
import static dev.adjoint.runtime.DType.I32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which dot products of a row nest {@link HoistedDots} computes a block of rows at a time, on
 * nests written by hand: attention's shape qualifies, and every way out of it (a start not affine
 * in the row, both starts in the row, an operand the kernel writes, a local in a start) does not.
 */
class HoistedDotsTest {
  private static final Dim T = Dim.symbol("T");
  private static final Buffer Q = buffer(0, "q", F32, Buffer.Role.ARGUMENT, Dim.of(2), T, Dim.of(8));
  private static final Buffer K = buffer(1, "k", F32, Buffer.Role.ARGUMENT, Dim.of(2), T, Dim.of(8));
  private static final Buffer OUT = buffer(2, "out", F32, Buffer.Role.OUTPUT, Dim.of(2), T);
  private static final KExpr SIZE_T = new KExpr.Size(T);

  private static KExpr i(String name) {
    return v(name, I32);
  }

  /** {@code (i0 * T + row) * 8}: the start of a row of 8 in the batch {@code i0}. */
  private static KExpr start(KExpr row) {
    return bin(Fn.MUL, bin(Fn.ADD, bin(Fn.MUL, i("i0"), SIZE_T), row), c(8, I32));
  }

  /** {@code var acc = 0; for d in 0..8 { acc = acc + x[xStart + d] * y[yStart + d] }}. */
  private static List<KStmt> dot(String acc, Buffer x, KExpr xStart, Buffer y, KExpr yStart) {
    String d = acc + "d";
    return List.of(new KStmt.Declare(acc, F32, c(0, F32)), new KStmt.Loop(d, c(8, I32), false, List.of(
        new KStmt.Let(acc + "a", load(x, bin(Fn.ADD, xStart, i(d)))),
        new KStmt.Let(acc + "b", load(y, bin(Fn.ADD, yStart, i(d)))),
        new KStmt.Assign(acc, bin(Fn.ADD, v(acc, F32), bin(Fn.MUL, v(acc + "a", F32), v(acc + "b", F32)))))));
  }

  /** Rows (i0, i2), a loop over r around {@code dot}, and a store of the sum. */
  private static List<KStmt.Loop> nest(String column, List<KStmt> dot) {
    List<KStmt> body = new java.util.ArrayList<>(dot);
    KStmt.Loop columns = new KStmt.Loop(column, SIZE_T, false, body);
    KStmt.Loop rows = new KStmt.Loop("i2", SIZE_T, true, List.of(columns,
        new KStmt.Store(OUT, bin(Fn.ADD, bin(Fn.MUL, i("i0"), SIZE_T), i("i2")), c(0, F32))));
    return List.of(new KStmt.Loop("i0", c(2, I32), true, List.of(rows)), rows);
  }

  @Test
  void attentionsScoresAreOneBlockOfProductsWithTheirStrides() {
    List<KStmt> first = dot("s", Q, start(i("i2")), K, start(i("r")));
    List<KStmt.Loop> nest = nest("r", first);
    HoistedDots dots = HoistedDots.find(nest, Set.of(OUT));
    assertEquals(1, dots.products().size());
    HoistedDots.Products p = dots.products().getFirst();
    assertEquals(Q, p.rowBuffer());
    assertEquals(K, p.columnBuffer());
    assertEquals(c(8, I32), p.rowStride());
    assertEquals(c(8, I32), p.columnStride());
    assertEquals(bin(Fn.MUL, bin(Fn.MUL, i("i0"), SIZE_T), c(8, I32)), p.rowStart());
    assertEquals(SIZE_T, p.columns());
    assertEquals(new HoistedDots.Use(0, "r"), dots.use(first.getFirst()));
  }

  @Test
  void theKeysOperandMayComeFirstAndTwoLoopsShareOneBlock() {
    List<KStmt> swapped = dot("s", K, start(i("r")), Q, start(i("i2")));
    List<KStmt> again = dot("t", Q, start(i("i2")), K, start(i("r2")));
    KStmt.Loop rows = new KStmt.Loop("i2", SIZE_T, true, List.of(new KStmt.Loop("r", SIZE_T, false, swapped),
        new KStmt.Loop("r2", SIZE_T, false, again)));
    HoistedDots dots = HoistedDots.find(List.of(new KStmt.Loop("i0", c(2, I32), true, List.of(rows)), rows), Set.of());
    assertEquals(1, dots.products().size(), "the same products, whichever operand is x");
    assertEquals(Q, dots.products().getFirst().rowBuffer());
    assertEquals(new HoistedDots.Use(0, "r"), dots.use(swapped.getFirst()));
    assertEquals(new HoistedDots.Use(0, "r2"), dots.use(again.getFirst()));
  }

  @Test
  void dotProductsOutsideTheShapeStayPerRow() {
    KExpr half = bin(Fn.DIV, i("i2"), c(2, I32));
    assertTrue(HoistedDots.find(nest("r", dot("s", Q, start(half), K, start(i("r")))), Set.of()).isEmpty(),
        "a start not affine in the row");
    assertTrue(HoistedDots.find(nest("r", dot("s", Q, start(i("i2")), K, start(i("i2")))), Set.of()).isEmpty(),
        "both operands in the row");
    assertTrue(HoistedDots.find(nest("r", dot("s", Q, start(i("i2")), K, start(i("r")))), Set.of(K)).isEmpty(),
        "an operand the kernel writes");
    KExpr local = bin(Fn.ADD, start(i("r")), i("offset"));
    assertTrue(HoistedDots.find(nest("r", dot("s", Q, start(i("i2")), K, local)), Set.of()).isEmpty(),
        "a start that reads a local of the row");
  }

  @Test
  void stridesOfAffineIndicesAndNoneOfOthers() {
    assertEquals(c(8, I32), AffineIndex.stride(start(i("i2")), "i2"));
    assertEquals(bin(Fn.MUL, c(8, I32), SIZE_T), AffineIndex.stride(start(i("i2")), "i0"));
    assertEquals(c(0, I32), AffineIndex.stride(start(i("i2")), "r"));
    assertEquals(bin(Fn.SUB, c(1, I32), c(3, I32)),
        AffineIndex.stride(bin(Fn.SUB, i("i2"), bin(Fn.MUL, c(3, I32), i("i2"))), "i2"));
    assertNull(AffineIndex.stride(bin(Fn.MUL, i("i2"), i("i2")), "i2"));
    assertNull(AffineIndex.stride(bin(Fn.MOD, i("i2"), c(4, I32)), "i2"));
    assertEquals(bin(Fn.MUL, bin(Fn.MUL, i("i0"), SIZE_T), c(8, I32)),
        AffineIndex.substitute(start(i("i2")), "i2", c(0, I32)));
  }
}
