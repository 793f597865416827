package dev.adjoint.compiler.schedule;

import static dev.adjoint.runtime.DType.I32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.kernel.KExpr;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Index expressions as functions of one loop variable: strides, starts, and which are index arithmetic only. */
class AffineIndexTest {
  private static final KExpr SIZE_T = new KExpr.Size(Dim.symbol("T"));

  private static KExpr i(String name) {
    return new KExpr.Var(name, I32);
  }

  private static KExpr c(long v) {
    return KExpr.Const.index(v);
  }

  private static KExpr bin(Fn fn, KExpr a, KExpr b) {
    return new KExpr.Binary(fn, a, b);
  }

  /** {@code (i0 * T + row) * 8}: the start of a row of 8 in the batch {@code i0}. */
  private static KExpr start(KExpr row) {
    return bin(Fn.MUL, bin(Fn.ADD, bin(Fn.MUL, i("i0"), SIZE_T), row), c(8));
  }

  @Test
  void stridesOfAffineIndicesAndNoneOfOthers() {
    assertEquals(c(8), AffineIndex.stride(start(i("i2")), "i2"));
    assertEquals(bin(Fn.MUL, c(8), SIZE_T), AffineIndex.stride(start(i("i2")), "i0"));
    assertEquals(c(0), AffineIndex.stride(start(i("i2")), "r"));
    assertEquals(bin(Fn.SUB, c(1), c(3)), AffineIndex.stride(bin(Fn.SUB, i("i2"), bin(Fn.MUL, c(3), i("i2"))), "i2"));
    assertNull(AffineIndex.stride(bin(Fn.MUL, i("i2"), i("i2")), "i2"));
    assertNull(AffineIndex.stride(bin(Fn.MOD, i("i2"), c(4)), "i2"));
    assertEquals(bin(Fn.MUL, bin(Fn.MUL, i("i0"), SIZE_T), c(8)), AffineIndex.substitute(start(i("i2")), "i2", c(0)));
  }

  @Test
  void theBaseOfARunIsTheIndexLessItsVariable() {
    // (i0 * T + i2) * 8 + (d + 4): base (i0 * T + i2) * 8 + 4 along d.
    KExpr index = bin(Fn.ADD, start(i("i2")), bin(Fn.ADD, i("d"), c(4)));
    assertEquals(KExpr.add(start(i("i2")), c(4)), AffineIndex.base(index, "d"));
    assertEquals(c(0), AffineIndex.base(i("d"), "d"));
    assertNull(AffineIndex.base(bin(Fn.MUL, i("d"), c(2)), "d"), "stride 2: no run");
    assertNull(AffineIndex.base(bin(Fn.ADD, i("d"), i("d")), "d"), "the variable twice");
  }

  @Test
  void indexArithmeticOnlyAndInvariants() {
    assertTrue(AffineIndex.indexOnly(bin(Fn.DIV, start(i("i2")), c(2)), Set.of("i0", "i2")));
    assertFalse(AffineIndex.indexOnly(start(i("i2")), Set.of("i0")), "a variable not given");
    assertTrue(AffineIndex.invariant(bin(Fn.MUL, SIZE_T, c(8))));
    assertFalse(AffineIndex.invariant(bin(Fn.MUL, SIZE_T, i("i0"))));
  }
}
