package dev.adjoint.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The branch-free select gives the ternary's bits for every kind of value: zeros, infinities, NaN payloads. */
class KernelMathSelectTest {
  private static final float[] FLOATS = {0.0f, -0.0f, 1.5f, -2.25e-39f, Float.MIN_VALUE, Float.MAX_VALUE,
      Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0x7fc12345),
      Float.intBitsToFloat(0xffa00001)};
  private static final double[] DOUBLES = {0.0, -0.0, 1.5, -4.9e-324, Double.MAX_VALUE, Double.NEGATIVE_INFINITY,
      Double.NaN, Double.longBitsToDouble(0x7ff8_0000_1234_5678L), Double.longBitsToDouble(0xfff0_0000_0000_0001L)};

  @Test
  void floatSelectsAreTheTernarysBits() {
    for (float a : FLOATS) {
      for (float b : FLOATS) {
        for (boolean c : new boolean[] {true, false}) {
          assertEquals(Float.floatToRawIntBits(c ? a : b), Float.floatToRawIntBits(KernelMath.select(c, a, b)),
              c + " ? " + a + " : " + b);
        }
      }
    }
  }

  @Test
  void doubleSelectsAreTheTernarysBits() {
    for (double a : DOUBLES) {
      for (double b : DOUBLES) {
        for (boolean c : new boolean[] {true, false}) {
          assertEquals(Double.doubleToRawLongBits(c ? a : b), Double.doubleToRawLongBits(KernelMath.select(c, a, b)),
              c + " ? " + a + " : " + b);
        }
      }
    }
  }
}
