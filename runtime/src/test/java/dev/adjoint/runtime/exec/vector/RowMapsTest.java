package dev.adjoint.runtime.exec.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.exec.ExpF32;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both paths of {@link RowMaps} against the scalar operation element by element, bit for bit: on
 * rows with NaN, infinities, signed zeros and subnormals, at lengths around the vector width, at
 * offsets, and in place.
 */
class RowMapsTest {
  private static final List<RowMaps.Impl> PATHS = List.of(new ScalarRowMaps(), new VectorRowMaps());
  private static final float[] SPECIAL = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0.0f, -0.0f,
      Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1.0f, -1.0f, 88.5f, -90f,
      -103.97f, 89.5f};

  static Stream<Arguments> cases() {
    return IntStream.of(0, 1, 7, 15, 16, 17, 31, 33, 64, 128, 130)
        .boxed()
        .flatMap(n -> Stream.of(RowMaps.Op.values()).map(op -> Arguments.of(op, n)));
  }

  /** Gaussian values at several scales, with a special value every seventh element. */
  private static float[] row(Random random, int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = i % 7 == 3 ? SPECIAL[random.nextInt(SPECIAL.length)]
          : (float) (random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4));
    }
    return out;
  }

  private static int bits(float x) {
    return Float.floatToRawIntBits(x);
  }

  private static void assertSameBits(float expected, float actual, String what) {
    assertTrue(bits(expected) == bits(actual) || Float.isNaN(expected) && Float.isNaN(actual),
        what + ": " + actual + ", expected " + expected);
  }

  @ParameterizedTest(name = "{0} at length {1}")
  @MethodSource("cases")
  void binaryOperationsAreTheScalarOperationInEveryElement(RowMaps.Op op, int n) {
    Random random = new Random(31L * n + op.ordinal());
    float[] x = row(random, n + 3);
    float[] y = row(random, n + 5);
    float scalar = SPECIAL[random.nextInt(SPECIAL.length)];
    for (RowMaps.Impl path : PATHS) {
      String name = path.getClass().getSimpleName() + " " + op;
      float[] out = new float[n + 3];
      path.rows(op, out, 2, x, 3, y, 5, n);
      for (int i = 0; i < n; i++) assertSameBits(op.apply(x[3 + i], y[5 + i]), out[2 + i], name + " rows [" + i + "]");
      path.rowScalar(op, out, 1, x, 3, scalar, n);
      for (int i = 0; i < n; i++) assertSameBits(op.apply(x[3 + i], scalar), out[1 + i], name + " row, scalar [" + i + "]");
      path.scalarRow(op, out, 0, scalar, y, 5, n);
      for (int i = 0; i < n; i++) assertSameBits(op.apply(scalar, y[5 + i]), out[i], name + " scalar, row [" + i + "]");
      assertEquals(0.0f, out[n + 2], "nothing written past the run");
    }
  }

  @ParameterizedTest(name = "length {0}")
  @MethodSource("lengths")
  void negateAndExpAreTheScalarOperationInEveryElement(int n) {
    Random random = new Random(n);
    float[] x = row(random, n + 1);
    for (RowMaps.Impl path : PATHS) {
      String name = path.getClass().getSimpleName();
      float[] out = new float[n];
      path.negate(out, 0, x, 1, n);
      for (int i = 0; i < n; i++) assertSameBits(-x[1 + i], out[i], name + " negate [" + i + "]");
      path.exp(out, 0, x, 1, n);
      for (int i = 0; i < n; i++) assertSameBits(ExpF32.exp(x[1 + i]), out[i], name + " exp(" + x[1 + i] + ")");
    }
  }

  static IntStream lengths() {
    return IntStream.of(0, 1, 15, 16, 17, 100, 128);
  }

  /** The vector polynomial takes the scalar one's steps: the same bits over the whole range and at its edges. */
  @Test
  void theVectorExpHasTheScalarPolynomialsBits() {
    Random random = new Random(5);
    int n = 1 << 16;
    float[] x = new float[n];
    for (int round = 0; round < 16; round++) {
      for (int i = 0; i < n; i++) x[i] = (float) (random.nextDouble() * 220 - 115);
      System.arraycopy(SPECIAL, 0, x, 0, SPECIAL.length);
      float[] out = new float[n];
      new VectorRowMaps().exp(out, 0, x, 0, n);
      for (int i = 0; i < n; i++) assertSameBits(ExpF32.exp(x[i]), out[i], "exp(" + x[i] + ")");
    }
    assertTrue(RowMaps.vectorized(), "surefire adds jdk.incubator.vector");
  }

  @Test
  void operationsRunInPlace() {
    Random random = new Random(9);
    float[] x = row(random, 40);
    float[] y = row(random, 40);
    for (RowMaps.Impl path : PATHS) {
      float[] a = x.clone();
      path.rows(RowMaps.Op.DIVIDE, a, 0, a, 0, y, 0, 40);
      path.exp(a, 0, a, 0, 40);
      for (int i = 0; i < 40; i++) assertSameBits(ExpF32.exp(x[i] / y[i]), a[i], path.getClass().getSimpleName());
    }
  }

  @ParameterizedTest(name = "length {0}")
  @MethodSource("lengths")
  void theMaximumIsTheSequentialOnesBits(int n) {
    Random random = new Random(100 + n);
    float[] x = row(random, n + 2);
    float[] zeros = new float[n];
    for (int i = 0; i < n; i++) zeros[i] = i % 2 == 0 ? -0.0f : 0.0f;
    for (float initial : new float[] {Float.NEGATIVE_INFINITY, -0.0f, 3.5f, Float.NaN}) {
      float expected = initial;
      for (int i = 0; i < n; i++) expected = Math.max(expected, x[2 + i]);
      float zerosExpected = initial;
      for (float z : zeros) zerosExpected = Math.max(zerosExpected, z);
      for (RowMaps.Impl path : PATHS) {
        String name = path.getClass().getSimpleName() + " from " + initial;
        assertSameBits(expected, path.maxOf(initial, x, 2, n), name);
        assertSameBits(zerosExpected, path.maxOf(initial, zeros, 0, n), name + ", signed zeros");
      }
    }
  }

  @ParameterizedTest(name = "length {0}")
  @MethodSource("lengths")
  void selectsTakeTheScalarComparisonsSide(int n) {
    Random random = new Random(200 + n);
    float[] x = row(random, n + 1);
    float[] a = row(random, n + 2);
    float[] b = row(random, n + 3);
    for (RowMaps.Compare cmp : RowMaps.Compare.values()) {
      for (float y : new float[] {0.0f, -0.0f, 0.1f, Float.NaN, Float.NEGATIVE_INFINITY}) {
        for (RowMaps.Impl path : PATHS) {
          String name = path.getClass().getSimpleName() + " " + cmp + " " + y;
          float[] rows = new float[n];
          float[] rowValue = new float[n];
          float[] valueRow = new float[n];
          path.select(rows, 0, cmp, x, 1, y, a, 2, 0.0f, b, 3, 0.0f, n);
          path.select(rowValue, 0, cmp, x, 1, y, a, 2, 0.0f, null, 0, -2.5f, n);
          path.select(valueRow, 0, cmp, x, 1, y, null, 0, 7.0f, b, 3, 0.0f, n);
          for (int i = 0; i < n; i++) {
            boolean taken = cmp.test(x[1 + i], y);
            assertSameBits(taken ? a[2 + i] : b[3 + i], rows[i], name + " [" + i + "] of " + x[1 + i]);
            assertSameBits(taken ? a[2 + i] : -2.5f, rowValue[i], name + " [" + i + "]");
            assertSameBits(taken ? 7.0f : b[3 + i], valueRow[i], name + " [" + i + "]");
          }
        }
      }
    }
  }

  @Test
  void aSumAddsInIndexOrderFromItsStart() {
    float[] x = {1e8f, 1.0f, -1e8f, 1.0f, 0.5f};
    // In index order: (((2 + 1e8) + 1) - 1e8) + 1 + 0.5 rounds the small terms away on the way up.
    float expected = 2.0f;
    for (float v : x) expected += v;
    assertEquals(expected, RowMaps.sum(2.0f, x, 0, 5));
    assertEquals(1.0f + 0.5f, RowMaps.sum(0.0f, x, 3, 2));
    assertEquals(-0.0f, RowMaps.sum(-0.0f, x, 0, 0));
  }
}
