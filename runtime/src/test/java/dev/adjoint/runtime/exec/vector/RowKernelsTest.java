package dev.adjoint.runtime.exec.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both paths of {@link RowKernels} against the kernel interpreter's scalar loops: the elementwise
 * updates bit for bit, the dot product bit for bit on the scalar path and within the f32 tolerance
 * (1e-5 relative to the sum of magnitudes) on the vector path, at lengths around the vector width.
 */
class RowKernelsTest {
  static IntStream lengths() {
    return IntStream.of(0, 1, 7, 15, 16, 17, 31, 32, 33, 64, 100, 512);
  }

  private static float[] random(Random random, int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) out[i] = (float) random.nextGaussian();
    return out;
  }

  @ParameterizedTest
  @MethodSource("lengths")
  void dotProductsAgreeWithTheInterpretersSum(int length) {
    Random random = new Random(length);
    float[] x = random(random, length + 3);
    float[] y = random(random, length + 5);
    float expected = 0.0f;
    double magnitude = 0;
    for (int i = 0; i < length; i++) {
      expected = expected + x[3 + i] * y[5 + i];
      magnitude += Math.abs((double) x[3 + i] * y[5 + i]);
    }
    assertEquals(expected, new ScalarRowKernels().dot(x, 3, y, 5, length));
    float vector = new VectorRowKernels().dot(x, 3, y, 5, length);
    assertTrue(Math.abs(vector - expected) <= 1e-5 * (1 + magnitude), vector + " vs " + expected);
    assertTrue(RowKernels.vectorized(), "surefire adds jdk.incubator.vector");
  }

  /** The same bits before and after the JIT compiles it: a result must not depend on when it runs. */
  @org.junit.jupiter.api.Test
  void aDotProductGivesTheSameBitsInterpretedAndCompiled() {
    Random random = new Random(3);
    float[] x = random(random, 64);
    float[] y = random(random, 64);
    VectorRowKernels kernels = new VectorRowKernels();
    float first = kernels.dot(x, 0, y, 0, 64);
    for (int i = 0; i < 200_000; i++) {
      float again = kernels.dot(x, 0, y, 0, 64);
      if (Float.floatToRawIntBits(again) != Float.floatToRawIntBits(first)) {
        throw new AssertionError("call " + i + " gave " + again + ", the first gave " + first);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("lengths")
  void accumulatorUpdatesAreTheScalarLoopsBits(int length) {
    Random random = new Random(100 + length);
    float[] x = random(random, length + 2);
    float[] acc = random(random, length);
    float scale = (float) random.nextGaussian();
    float weight = (float) random.nextGaussian();
    float[] scaled = acc.clone();
    float[] added = acc.clone();
    for (int i = 0; i < length; i++) {
      scaled[i] = scaled[i] * scale + weight * x[2 + i];
      added[i] = added[i] + weight * x[2 + i];
    }
    for (RowKernels.Impl impl : new RowKernels.Impl[] {new ScalarRowKernels(), new VectorRowKernels()}) {
      float[] a = acc.clone();
      impl.scaleAddScaled(a, scale, weight, x, 2, length);
      assertArrayEquals(scaled, a, impl.getClass().getSimpleName());
      float[] b = acc.clone();
      impl.addScaled(b, weight, x, 2, length);
      assertArrayEquals(added, b, impl.getClass().getSimpleName());
    }
  }
}
