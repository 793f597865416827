package dev.adjoint.compiler.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The comparison the golden tests rely on; a wrong comparator would let every golden pass. */
class TensorComparisonTest {
  private static Tensor f64(int[] shape, double... values) {
    return Tensor.ofDoubles(DType.F64, shape, values);
  }

  @Test
  void equalTensorsAreClose() {
    Tensor t = f64(new int[] {2}, 1.0, Double.NEGATIVE_INFINITY);
    assertEquals(Optional.empty(), TensorComparison.compare(t, t, 1e-12, 1e-12));
  }

  @Test
  void relativeAndAbsoluteTolerancesAdd() {
    assertTrue(TensorComparison.excess(100.0, 100.0 + 2e-10, 1e-12, 1e-12) > 1);
    assertTrue(TensorComparison.excess(100.0, 100.0 + 5e-11, 1e-12, 1e-12) < 1);
    assertTrue(TensorComparison.excess(0.0, 5e-13, 1e-12, 1e-12) < 1);
    assertTrue(TensorComparison.excess(0.0, 5e-12, 1e-12, 1e-12) > 1);
  }

  @Test
  void infinitiesAndNaNMustMatch() {
    double inf = Double.POSITIVE_INFINITY;
    assertEquals(0, TensorComparison.excess(-inf, -inf, 0, 0));
    assertEquals(inf, TensorComparison.excess(-inf, inf, 1, 1));
    assertEquals(inf, TensorComparison.excess(-inf, -1e300, 1, 1));
    assertEquals(inf, TensorComparison.excess(1.0, Double.NaN, 1, 1));
    assertEquals(0, TensorComparison.excess(Double.NaN, Double.NaN, 0, 0));
  }

  @Test
  void reportsTheWorstElementWithItsIndex() {
    Tensor expected = f64(new int[] {2, 3}, 0, 1, 2, 3, 4, 5);
    Tensor actual = f64(new int[] {2, 3}, 0, 1.5, 2, 3, 4, 9);
    String message = TensorComparison.compare(expected, actual, 1e-12, 1e-12).orElseThrow();
    assertTrue(message.startsWith("2 of 6 elements differ"), message);
    assertTrue(message.contains("worst at index [1, 2]: actual 9.0, expected 5.0"), message);
  }

  @Test
  void shapeAndElementTypeMustMatch() {
    Tensor expected = f64(new int[] {2}, 1, 2);
    assertTrue(TensorComparison.compare(expected, f64(new int[] {1, 2}, 1, 2), 0, 0).orElseThrow().contains("shape"));
    Tensor ints = Tensor.ofInts(new int[] {2}, new int[] {1, 2});
    assertTrue(TensorComparison.compare(expected, ints, 0, 0).orElseThrow().contains("element type"));
  }

  @Test
  void dimsParse() {
    assertEquals(Map.of("B", 2L, "T", 3L), GoldenCase.parseDims("case", "B=2, T=3"));
    assertEquals(Map.of(), GoldenCase.parseDims("case", ""));
  }
}
