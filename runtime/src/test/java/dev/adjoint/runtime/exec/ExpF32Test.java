package dev.adjoint.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.exec.gemm.GemmF32;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The f32 exp polynomial against {@code (float) Math.exp}: within one ulp everywhere, exact at the edges. */
class ExpF32Test {
  private static int ulps(float expected, float actual) {
    return Math.abs(Float.floatToRawIntBits(expected) - Float.floatToRawIntBits(actual));
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(ints = {1, 2, 3})
  void withinOneUlpOfMathExpOverTheWholeRange(int seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < 2_000_000; i++) {
      float x = (float) random.nextDouble(-90, 90);
      float expected = (float) Math.exp(x);
      float actual = ExpF32.polynomial(x);
      assertTrue(ulps(expected, actual) <= 1, "exp(" + x + "): " + actual + ", Math.exp gives " + expected);
    }
  }

  /** Every float in [-1, 1] that is a multiple of 2^-20, and small magnitudes where e^x is near 1. */
  @Test
  void withinOneUlpNearZero() {
    for (int k = -(1 << 20); k <= 1 << 20; k++) {
      float x = k * 0x1p-20f;
      assertTrue(ulps((float) Math.exp(x), ExpF32.polynomial(x)) <= 1, "exp(" + x + ")");
    }
    for (float x = Float.MIN_VALUE; x < 1e-3f; x *= 3) {
      assertTrue(ulps((float) Math.exp(x), ExpF32.polynomial(x)) <= 1, "exp(" + x + ")");
      assertTrue(ulps((float) Math.exp(-x), ExpF32.polynomial(-x)) <= 1, "exp(" + -x + ")");
    }
  }

  @Test
  void edgesAreMathExpsValues() {
    float[] edges = {0.0f, -0.0f, -87.0f, 88.0f, Math.nextUp(88.0f), 88.72f, 89.0f, -87.5f, -103.9f, -104.0f, -200.0f,
        Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
    for (float x : edges) {
      float expected = (float) Math.exp(x);
      float actual = ExpF32.polynomial(x);
      assertTrue(ulps(expected, actual) <= 1 || Float.isNaN(expected) && Float.isNaN(actual),
          "exp(" + x + "): " + actual + ", Math.exp gives " + expected);
    }
    assertEquals(1.0f, ExpF32.polynomial(0.0f));
    assertEquals(Float.POSITIVE_INFINITY, ExpF32.polynomial(Float.POSITIVE_INFINITY));
    assertEquals(0.0f, ExpF32.polynomial(Float.NEGATIVE_INFINITY));
    assertTrue(Float.isNaN(ExpF32.polynomial(Float.NaN)));
  }

  @Test
  void thePolynomialRunsExactlyWhereProductsAreFused() {
    assertEquals(GemmF32.fusesMultiplyAdd(), ExpF32.polynomialInUse());
    float x = -1.2345f;
    assertEquals(ExpF32.polynomialInUse() ? ExpF32.polynomial(x) : (float) Math.exp(x), ExpF32.exp(x));
  }
}
