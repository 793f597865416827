package dev.adjoint.runtime.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Philox4x32Test {
  private static int hex(String text) {
    return Integer.parseUnsignedInt(text, 16);
  }

  /** The known-answer vectors for philox4x32_10 in Random123's kat_vectors. */
  @ParameterizedTest
  @CsvSource(delimiter = ' ', value = {
    "00000000 00000000 00000000 00000000 00000000 00000000 6627e8d5 e169c58d bc57ac4c 9b00dbd8",
    "ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff 408f276d 41c83b0e a20bc7c6 6d5451fd",
    "243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0 d16cfe09 94fdcceb 5001e420 24126ea1",
  })
  void matchesRandom123(String c0, String c1, String c2, String c3, String k0, String k1,
      String r0, String r1, String r2, String r3) {
    assertArrayEquals(new int[] {hex(r0), hex(r1), hex(r2), hex(r3)},
        Philox4x32.block(hex(k0), hex(k1), hex(c0), hex(c1), hex(c2), hex(c3)));
  }

  @Test
  void uniformIsTheDocumentedFunctionOfTheBlock() {
    long seed = 0x0123_4567_89AB_CDEFL;
    long index = (5L << 34) | (7L << 2) | 2; // q = index >>> 2 has a high word too
    int[] words = Philox4x32.block(0x89AB_CDEF, 0x0123_4567, 7, 5, 11, -3);
    assertArrayEquals(words, Philox4x32.block((int) seed, (int) (seed >>> 32), (int) (index >>> 2),
        (int) (index >>> 34), 11, -3));
    assertEquals((words[2] >>> 8) * 0x1.0p-24f, Philox4x32.uniform(seed, 11, -3, index));
    for (int lane = 0; lane < 4; lane++) {
      assertEquals((words[lane] >>> 8) / 16777216.0f, Philox4x32.uniform(seed, 11, -3, (index & ~3L) | lane));
    }
  }

  @Test
  void uniformOfTheAllZeroKeyAndCounter() {
    // block(0,0; 0,0,0,0)[0] = 0x6627e8d5: its top 24 bits are 0x6627e8.
    assertEquals(0x6627e8 / 16777216.0f, Philox4x32.uniform(0, 0, 0, 0));
    assertEquals(0x9b00db / 16777216.0f, Philox4x32.uniform(0, 0, 0, 3));
  }

  @Test
  void uniformsAreInRangeWithTheRightMeanAndVariance() {
    int n = 1 << 20;
    double sum = 0;
    double sumOfSquares = 0;
    float min = 1;
    float max = 0;
    for (int i = 0; i < n; i++) {
      float u = Philox4x32.uniform(42, 3, 17, i);
      min = Math.min(min, u);
      max = Math.max(max, u);
      sum += u;
      sumOfSquares += (double) u * u;
    }
    assertTrue(min >= 0 && max < 1, "range [" + min + ", " + max + "]");
    double mean = sum / n;
    double variance = sumOfSquares / n - mean * mean;
    // Standard errors: 0.289 / sqrt(n) = 2.8e-4 for the mean, about 8e-5 for the variance.
    assertEquals(0.5, mean, 1.5e-3);
    assertEquals(1.0 / 12, variance, 5e-4);
    assertTrue(min < 1e-5 && max > 1 - 1e-5, "covers [0, 1)");
  }

  @Test
  void normalsHaveMeanZeroAndVarianceOne() {
    int n = 1 << 19;
    double sum = 0;
    double sumOfSquares = 0;
    int beyondTwoSigma = 0;
    for (int i = 0; i < n; i++) {
      double z = Philox4x32.normal(7, 0, 1, i);
      assertTrue(Double.isFinite(z));
      sum += z;
      sumOfSquares += z * z;
      if (Math.abs(z) > 2) {
        beyondTwoSigma++;
      }
    }
    assertEquals(0, sum / n, 7e-3);
    assertEquals(1, sumOfSquares / n, 1e-2);
    assertEquals(0.0455, (double) beyondTwoSigma / n, 2e-3);
  }

  @Test
  void normalIsBoxMullerOverTwoUniformsOfTheSameStream() {
    long index = 12345;
    double u1 = Philox4x32.uniform(9, 2, 4, 2 * index);
    double u2 = Philox4x32.uniform(9, 2, 4, 2 * index + 1);
    assertEquals(StrictMath.sqrt(-2 * StrictMath.log(1 - u1)) * StrictMath.cos(2 * Math.PI * u2),
        Philox4x32.normal(9, 2, 4, index));
  }

  @Test
  void everyPartOfTheKeyAndCounterMatters() {
    float base = Philox4x32.uniform(1, 2, 3, 4);
    assertEquals(base, Philox4x32.uniform(1, 2, 3, 4));
    assertNotEquals(base, Philox4x32.uniform(1L | (1L << 32), 2, 3, 4), "high word of the seed");
    assertNotEquals(base, Philox4x32.uniform(2, 2, 3, 4), "seed");
    assertNotEquals(base, Philox4x32.uniform(1, 3, 3, 4), "step");
    assertNotEquals(base, Philox4x32.uniform(1, 2, 4, 4), "site");
    assertNotEquals(base, Philox4x32.uniform(1, 2, 3, 4 + (1L << 34)), "high word of the index");
  }

  @Test
  void pinnedValuesFromAnIndependentImplementation() {
    // Computed by a separate Python implementation of the documented mapping. Any change here
    // changes every seeded dropout mask and initialisation in the project.
    assertEquals(Float.intBitsToFloat(0x3f52c810), Philox4x32.uniform(2024, 1, 2, 3));
    double[] normals = {0.16028566807496586, 0.5689572464732564, 1.6296531278812174, -0.36705385822701747};
    for (int i = 0; i < normals.length; i++) {
      // Python used the C library's log and cos, we use fdlibm: they may differ in the last bit.
      assertEquals(normals[i], Philox4x32.normal(2024, 1, 2, i), 1e-15);
    }
  }
}
