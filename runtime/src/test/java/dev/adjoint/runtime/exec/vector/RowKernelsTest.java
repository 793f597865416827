package dev.adjoint.runtime.exec.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
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

  /** Rows, columns and length around the blocks of four rows and one or two vectors of columns. */
  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> dotProductShapes() {
    Random random = new Random(41);
    java.util.List<org.junit.jupiter.params.provider.Arguments> shapes = new java.util.ArrayList<>();
    int[][] fixed = {{0, 5, 3}, {5, 0, 3}, {3, 5, 0}, {1, 1, 1}, {4, 32, 32}, {64, 64, 32}, {7, 33, 16}, {9, 47, 64},
        {128, 128, 64}};
    for (int[] f : fixed) shapes.add(org.junit.jupiter.params.provider.Arguments.of(f[0], f[1], f[2]));
    for (int n = 0; n < 12; n++) {
      shapes.add(org.junit.jupiter.params.provider.Arguments.of(random.nextInt(1, 70), random.nextInt(1, 90),
          random.nextInt(1, 130)));
    }
    return shapes.stream();
  }

  /**
   * Every element of a block of dot products is the interpreter's sum in index order, bit for bit,
   * on both paths; the runs are strided, offset, and the output larger than the block.
   */
  @ParameterizedTest(name = "{0} rows x {1} columns, length {2}")
  @MethodSource("dotProductShapes")
  void blocksOfDotProductsAreTheInterpretersSums(int rows, int columns, int length) {
    Random random = new Random(rows * 1000L + columns * 10L + length);
    int xStride = length + 3;
    int yStride = length + 1;
    float[] x = random(random, 2 + rows * xStride);
    float[] y = random(random, 7 + columns * yStride);
    float[] expected = new float[rows * columns + 5];
    java.util.Arrays.fill(expected, 42.0f);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < columns; j++) {
        float acc = 0.0f;
        for (int d = 0; d < length; d++) acc = acc + x[2 + i * xStride + d] * y[7 + j * yStride + d];
        expected[i * columns + j] = acc;
      }
    }
    for (RowKernels.Impl impl : new RowKernels.Impl[] {new ScalarRowKernels(), new VectorRowKernels()}) {
      float[] out = new float[rows * columns + 5];
      java.util.Arrays.fill(out, 42.0f);
      impl.dotProducts(out, x, 2, xStride, rows, y, 7, yStride, columns, length);
      assertArrayEquals(expected, out, impl.getClass().getSimpleName());
    }
  }

  @org.junit.jupiter.api.Test
  void blocksOfDotProductsRefuseNegativeCountsAndShortOutputs() {
    float[] x = new float[16];
    var negative = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> RowKernels.dotProducts(new float[4], x, 0, 4, 2, x, 0, 4, -2, 4));
    assertEquals("dotProducts: negative rows, columns or length (2, -2, 4)", negative.getMessage());
    var tooSmall = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> RowKernels.dotProducts(new float[3], x, 0, 4, 2, x, 0, 4, 2, 4));
    assertEquals("dotProducts: 2 x 2 products do not fit in 3 elements", tooSmall.getMessage());
  }

  /** Weighted sums of rows: the bits of one addScaled or scaleAddScaled call per row, in row order, on both paths. */
  @ParameterizedTest(name = "{0} rows x {1} columns, length {2}")
  @MethodSource("dotProductShapes")
  void weightedRowsAreTheRowByRowUpdates(int rows, int columns, int length) {
    Random random = new Random(7 + rows * 31L + length);
    int stride = length + columns % 5;
    float[] x = random(random, 3 + rows * stride + length);
    float[] weights = random(random, rows + 2);
    float[] scales = random(random, rows + 1);
    float[] acc = random(random, length + 4);
    float[] added = acc.clone();
    float[] scaled = acc.clone();
    ScalarRowKernels oneByOne = new ScalarRowKernels();
    for (int r = 0; r < rows; r++) {
      oneByOne.addScaled(added, weights[r], x, 3 + r * stride, length);
      oneByOne.scaleAddScaled(scaled, scales[r], weights[r], x, 3 + r * stride, length);
    }
    for (RowKernels.Impl impl : new RowKernels.Impl[] {new ScalarRowKernels(), new VectorRowKernels()}) {
      float[] a = acc.clone();
      impl.addWeightedRows(a, weights, x, 3, stride, rows, length);
      assertArrayEquals(added, a, impl.getClass().getSimpleName());
      float[] b = acc.clone();
      impl.scaleAddWeightedRows(b, scales, weights, x, 3, stride, rows, length);
      assertArrayEquals(scaled, b, impl.getClass().getSimpleName());
    }
  }

  @org.junit.jupiter.api.Test
  void weightedRowsRefuseShortWeightsAndNegativeCounts() {
    float[] x = new float[64];
    var shortWeights = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> RowKernels.addWeightedRows(new float[8], new float[2], x, 0, 8, 3, 8));
    assertEquals("weighted rows: 3 rows of 8 need 3 weights and 8 accumulators, got 2 and 8",
        shortWeights.getMessage());
    var negative = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> RowKernels.scaleAddWeightedRows(new float[8], new float[2], new float[2], x, 0, 8, -1, 8));
    assertEquals("weighted rows: negative rows or length (-1, 8)", negative.getMessage());
  }

  /** The online softmax's loop as the kernel runs it, key by key. */
  private static float onlineSoftmaxLoop(float[] x, int xOffset, int length, float max, float sum, float[] scales,
      float[] weights) {
    for (int r = 0; r < length; r++) {
      float score = x[xOffset + r];
      float next = Math.max(max, score);
      float scale = next == Float.NEGATIVE_INFINITY ? 1.0f : dev.adjoint.runtime.exec.ExpF32.exp(max - next);
      float weight = next == Float.NEGATIVE_INFINITY ? 0.0f : dev.adjoint.runtime.exec.ExpF32.exp(score - next);
      sum = sum * scale + weight;
      scales[r] = scale;
      weights[r] = weight;
      max = next;
    }
    return sum;
  }

  /**
   * Scores with masked keys (-inf, a leading run of them too, so the running maximum starts at
   * -inf), from a fresh start and from a row already under way: the loop's bits on both paths.
   */
  @ParameterizedTest
  @MethodSource("lengths")
  void theOnlineSoftmaxGivesTheLoopsBits(int length) {
    Random random = new Random(40 + length);
    float[] x = new float[length + 1];
    for (int i = 0; i < x.length; i++) {
      x[i] = i < 4 || random.nextInt(5) == 0 ? Float.NEGATIVE_INFINITY : (float) (random.nextGaussian() * 6);
    }
    float[][] starts = {{Float.NEGATIVE_INFINITY, 0.0f}, {2.5f, 7.25f}, {40.0f, 1.0f}};
    for (float[] start : starts) {
      float[] scales = new float[length];
      float[] weights = new float[length];
      float expected = onlineSoftmaxLoop(x, 1, length, start[0], start[1], scales, weights);
      for (RowKernels.Impl path : List.of(new ScalarRowKernels(), new VectorRowKernels())) {
        float[] s = new float[length];
        float[] w = new float[length];
        float sum = path.onlineSoftmax(x, 1, length, start[0], start[1], s, w);
        String name = path.getClass().getSimpleName() + " from " + Arrays.toString(start);
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(sum), name + ": sum " + sum);
        assertArrayEquals(scales, s, name + ": scales");
        assertArrayEquals(weights, w, name + ": weights");
      }
    }
  }

  @org.junit.jupiter.api.Test
  void theOnlineSoftmaxRefusesRowsTooShortForItsKeys() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> RowKernels.onlineSoftmax(new float[8], 0, 8, 0.0f, 0.0f, new float[8], new float[7]));
    assertEquals("onlineSoftmax: 8 keys need as many scales and weights, got 8 and 7", e.getMessage());
  }

  @org.junit.jupiter.api.Test
  void copiedRowsLieOneAfterAnother() {
    float[] x = new float[40];
    for (int i = 0; i < x.length; i++) x[i] = i;
    float[] out = new float[7];
    RowKernels.copyRows(out, x, 3, 10, 3, 2);
    assertArrayEquals(new float[] {3, 4, 13, 14, 23, 24, 0}, out);
  }
}
