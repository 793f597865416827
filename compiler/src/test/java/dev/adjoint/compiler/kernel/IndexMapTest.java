package dev.adjoint.compiler.kernel;

import static dev.adjoint.compiler.kernel.K.add;
import static dev.adjoint.compiler.kernel.K.d;
import static dev.adjoint.compiler.kernel.K.div;
import static dev.adjoint.compiler.kernel.K.i;
import static dev.adjoint.compiler.kernel.K.idx;
import static dev.adjoint.compiler.kernel.K.mul;
import static dev.adjoint.compiler.kernel.K.size;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.ir.Binary.Fn;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Affine index maps: what is one, its strides, and what is not. */
class IndexMapTest {
  private static final Set<String> LOOPS = Set.of("i0", "i1", "i2", "r");

  @Test
  void aRowMajorIndexIsAffineWithTheStridesOfItsAxes() {
    // ((i0 * 2 + i1) * T + i2) * 8 + r: a head split of [B, 2, T, 8]
    KExpr index = add(mul(add(mul(add(mul(i("i0"), idx(2)), i("i1")), size(d("T"))), i("i2")), idx(8)), i("r"));
    IndexMap map = IndexMap.of(index, LOOPS).orElseThrow();
    assertEquals(List.of("i0", "i1", "i2", "r"), map.terms().stream().map(IndexMap.Term::var).toList());
    assertEquals("16 * T", KernelPrinter.expr(map.stride("i0")), "literals multiplied out in front");
    assertEquals("8 * T", KernelPrinter.expr(map.stride("i1")));
    assertEquals(idx(8), map.stride("i2"));
    assertEquals(idx(1), map.stride("r"));
    assertEquals(idx(0), map.offset());
    assertEquals(idx(0), map.stride("j"), "an axis the index does not move with");
    assertTrue(!map.uses("j"));
    assertEquals("i0 * (16 * T) + i1 * (8 * T) + i2 * 8 + r", map.toString());
  }

  @Test
  void offsetsAndDifferencesStayAffine() {
    // a slice from 3 with stride 2, and a pad of 1 before: 3 + i0 * 2 - 1
    KExpr index = new KExpr.Binary(Fn.SUB, add(idx(3), mul(i("i0"), idx(2))), idx(1));
    IndexMap map = IndexMap.of(index, LOOPS).orElseThrow();
    assertEquals(idx(2), map.stride("i0"));
    assertEquals("i0 * 2 + 2", map.toString());
  }

  @Test
  void divisionsModuliGathersAndProductsOfLoopVariablesAreNot() {
    assertTrue(IndexMap.of(div(i("r"), idx(8)), LOOPS).isEmpty(), "a merged head: r / 8");
    assertTrue(IndexMap.of(new KExpr.Binary(Fn.MOD, i("r"), idx(8)), LOOPS).isEmpty());
    assertTrue(IndexMap.of(add(mul(i("v3"), idx(16)), i("i0")), LOOPS).isEmpty(), "a gathered row: v3 is a let");
    assertTrue(IndexMap.of(mul(i("i0"), i("i1")), LOOPS).isEmpty());
  }

  @Test
  void stridesAndOffsetsAreFixedForTheKernel() {
    assertThrows(IllegalArgumentException.class, () -> new IndexMap(i("i0"), List.of()));
    assertThrows(IllegalArgumentException.class, () -> new IndexMap.Term("i0", i("i1")));
    assertThrows(IllegalArgumentException.class,
        () -> new IndexMap(idx(0), List.of(new IndexMap.Term("i0", idx(1)), new IndexMap.Term("i0", idx(2)))));
  }
}
