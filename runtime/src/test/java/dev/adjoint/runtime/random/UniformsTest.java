package dev.adjoint.runtime.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link Philox4x32#uniforms} against {@link Philox4x32#uniform}, number by number, bit for bit. */
class UniformsTest {
  static LongStream seeds() {
    return LongStream.range(0, 40).map(i -> 0x5EED_0000L + i);
  }

  /**
   * First indices that exercise the block arithmetic: small ones, ones whose runs cross 2^32 (the
   * counter's low word carries into its high word at 2^34), and ones that wrap past 2^64 - 1.
   */
  private static long firstIndex(Random random) {
    long near = switch (random.nextInt(6)) {
      case 0 -> 80; // the first blocks
      case 1 -> 1L << 32;
      case 2 -> 1L << 34;
      case 3 -> 0; // wraps: an unsigned 64-bit index just below 2^64
      case 4 -> random.nextLong() >>> 1;
      default -> random.nextInt(1 << 20);
    };
    return near - random.nextInt(80);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void fillsExactlyWhatUniformGivesIndexByIndex(long testSeed) {
    Random random = new Random(testSeed);
    for (int trial = 0; trial < 25; trial++) {
      long seed = random.nextLong();
      int step = random.nextInt();
      int site = random.nextInt();
      long first = firstIndex(random);
      int count = random.nextInt(8) == 0 ? random.nextInt(4) : random.nextInt(300);
      int offset = random.nextInt(5);
      float[] out = new float[offset + count + random.nextInt(5)];
      Arrays.fill(out, -1);
      Philox4x32.uniforms(seed, step, site, first, out, offset, count);
      float[] expected = new float[out.length];
      Arrays.fill(expected, -1);
      for (int k = 0; k < count; k++) expected[offset + k] = Philox4x32.uniform(seed, step, site, first + k);
      String what = "seed " + seed + ", step " + step + ", site " + site + ", first " + first + ", count " + count;
      for (int i = 0; i < out.length; i++) {
        assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(out[i]), what + ", at " + i);
      }
    }
  }

  @Test
  void aRunAcrossTheCountersHighWordUsesTheDocumentedBlocks() {
    // Blocks 2^32 - 2, 2^32 - 1 and 2^32: the counter's low word wraps and its high word becomes 1.
    long first = (1L << 34) - 6;
    float[] out = new float[10];
    Philox4x32.uniforms(3, 4, 5, first, out, 0, 10);
    int[][] blocks = {Philox4x32.block(3, 0, -2, 0, 4, 5), Philox4x32.block(3, 0, -1, 0, 4, 5),
        Philox4x32.block(3, 0, 0, 1, 4, 5)};
    for (int k = 0; k < 10; k++) {
      int word = blocks[(k + 2) / 4][(k + 2) % 4];
      assertEquals((word >>> 8) * 0x1.0p-24f, out[k], "number " + k);
    }
  }

  @Test
  void wholeBlocksRunOnTheVectorApiUnderTheBuildsTests() {
    // Surefire adds jdk.incubator.vector, so the comparisons above check the vector blocks; the
    // scalar blocks are checked by the starts, ends and leftover blocks of every run.
    assertTrue(UniformRuns.vectorized());
  }

  @Test
  void aCountOfZeroWritesNothing() {
    float[] out = {7, 7, 7};
    Philox4x32.uniforms(1, 2, 3, 4, out, 3, 0);
    Philox4x32.uniforms(1, 2, 3, 4, out, 0, 0);
    Philox4x32.uniforms(1, 2, 3, 4, new float[0], 0, 0);
    assertArrayEquals(new float[] {7, 7, 7}, out);
  }

  @Test
  void aNegativeCountIsRejected() {
    var e = assertThrows(IllegalArgumentException.class, () -> Philox4x32.uniforms(1, 2, 3, 4, new float[4], 0, -1));
    assertEquals("uniforms: count is -1; it cannot be negative", e.getMessage());
  }

  @Test
  void aRunPastTheEndOfTheArrayIsRejected() {
    var e = assertThrows(IndexOutOfBoundsException.class,
        () -> Philox4x32.uniforms(1, 2, 3, 4, new float[10], 8, 3));
    assertEquals("uniforms: 3 numbers from offset 8 do not fit in an array of length 10", e.getMessage());
  }

  @Test
  void aNegativeOffsetIsRejected() {
    var e = assertThrows(IndexOutOfBoundsException.class,
        () -> Philox4x32.uniforms(1, 2, 3, 4, new float[10], -1, 2));
    assertEquals("uniforms: 2 numbers from offset -1 do not fit in an array of length 10", e.getMessage());
  }

  @Test
  void anOffsetPastTheEndIsRejectedEvenForNoNumbers() {
    var e = assertThrows(IndexOutOfBoundsException.class,
        () -> Philox4x32.uniforms(1, 2, 3, 4, new float[10], 11, 0));
    assertEquals("uniforms: 0 numbers from offset 11 do not fit in an array of length 10", e.getMessage());
  }

  @Test
  void aHugeOffsetDoesNotOverflowIntoAcceptance() {
    var e = assertThrows(IndexOutOfBoundsException.class,
        () -> Philox4x32.uniforms(1, 2, 3, 4, new float[10], Integer.MAX_VALUE, 5));
    assertEquals("uniforms: 5 numbers from offset 2147483647 do not fit in an array of length 10", e.getMessage());
  }
}
