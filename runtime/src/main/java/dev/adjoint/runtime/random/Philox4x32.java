package dev.adjoint.runtime.random;

/**
 * Philox-4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw, "Parallel Random
 * Numbers: As Easy as 1, 2, 3" (SC 2011), as in Random123, and the one mapping from it to numbers
 * that the whole project uses. Generated Java and CUDA code reproduce this mapping bit for bit, so
 * it is specified here exactly; changing it changes every seeded result.
 *
 * <h2>The block function</h2>
 * {@link #block} maps a 2-word key (k0, k1) and a 4-word counter (c0, c1, c2, c3) to 4 words.
 * All arithmetic is on unsigned 32-bit words, wrapping mod 2^32. Each of the 10 rounds does, with
 * {@code hi:lo} the two words of a 64-bit product,
 * <pre>
 *   hi0:lo0 = M0 * c0;   hi1:lo1 = M1 * c2
 *   (c0, c1, c2, c3) := (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
 * </pre>
 * with {@code M0 = 0xD2511F53} and {@code M1 = 0xCD9E8D57}; before every round but the first the key
 * is bumped: {@code k0 += 0x9E3779B9}, {@code k1 += 0xBB67AE85}. The result is the final counter.
 *
 * <h2>Uniform numbers</h2>
 * {@link #uniform(long, int, int, long) uniform(seed, step, site, index)}, for the element
 * {@code index} of the random tensor drawn at call site {@code site} in training step {@code step}:
 * <ol>
 *   <li>key = (low 32 bits of seed, high 32 bits of seed);</li>
 *   <li>{@code index} is an unsigned 64-bit integer; let {@code q = index >>> 2} (logical shift);</li>
 *   <li>counter = (low 32 bits of q, high 32 bits of q, step, site), step and site taken as their
 *       32-bit patterns;</li>
 *   <li>w = output word number {@code index & 3} of {@code block(key, counter)}, so four
 *       consecutive indices share one block;</li>
 *   <li>the result is the float {@code (w >>> 8) * 0x1.0p-24f}: the top 24 bits of w scaled, exact in
 *       float, in [0, 1) in steps of 2^-24.</li>
 * </ol>
 * In CUDA: {@code (float)(w >> 8) * 0x1.0p-24f} with {@code w} an {@code unsigned int}.
 *
 * <h2>Normal numbers</h2>
 * {@link #normal(long, int, int, long) normal(seed, step, site, index)} is the Box–Muller transform
 * of two uniforms of the same (seed, step, site) stream, at indices {@code 2*index} and
 * {@code 2*index + 1} (unsigned 64-bit arithmetic, wrapping mod 2^64):
 * <pre>
 *   u1 = uniform(seed, step, site, 2*index);  u2 = uniform(seed, step, site, 2*index + 1)
 *   normal = sqrt(-2 * log(1 - u1)) * cos(2 * pi * u2)       computed in double
 * </pre>
 * {@code 1 - u1} lies in (0, 1], so the logarithm is finite. The uniforms are exact; the result
 * depends on the double-precision {@code log}, {@code sqrt} and {@code cos}: here the
 * {@link StrictMath} (fdlibm) ones, so Java results are the same on every machine, and CUDA's
 * double-precision functions (within 1 to 2 ulp) agree to far below float precision.
 */
public final class Philox4x32 {
  /** Multiplier for counter words 0 and 1. */
  public static final int M0 = 0xD2511F53;
  /** Multiplier for counter words 2 and 3. */
  public static final int M1 = 0xCD9E8D57;
  /** Key schedule increment for key word 0 (the golden ratio). */
  public static final int W0 = 0x9E3779B9;
  /** Key schedule increment for key word 1 (sqrt(3) - 1). */
  public static final int W1 = 0xBB67AE85;
  /** Rounds: the "-10" of Philox-4x32-10, which passes BigCrush with a safety margin. */
  public static final int ROUNDS = 10;

  private static final long UNSIGNED_MASK = 0xFFFF_FFFFL;
  private static final double TWO_PI = 2 * Math.PI;

  private Philox4x32() {}

  /** The four output words of Philox-4x32-10 for key (key0, key1) and counter (c0, c1, c2, c3). */
  public static int[] block(int key0, int key1, int c0, int c1, int c2, int c3) {
    int k0 = key0;
    int k1 = key1;
    for (int round = 0; round < ROUNDS; round++) {
      if (round > 0) {
        k0 += W0;
        k1 += W1;
      }
      long product0 = (M0 & UNSIGNED_MASK) * (c0 & UNSIGNED_MASK);
      long product1 = (M1 & UNSIGNED_MASK) * (c2 & UNSIGNED_MASK);
      int next0 = (int) (product1 >>> 32) ^ c1 ^ k0;
      int next1 = (int) product1;
      int next2 = (int) (product0 >>> 32) ^ c3 ^ k1;
      int next3 = (int) product0;
      c0 = next0;
      c1 = next1;
      c2 = next2;
      c3 = next3;
    }
    return new int[] {c0, c1, c2, c3};
  }

  /**
   * Output word {@code which} (0 to 3) of {@link #block}, without the array: generated kernels
   * draw one number per element, and an allocation per element cost more than the rounds.
   */
  private static int word(int key0, int key1, int c0, int c1, int c2, int c3, int which) {
    int k0 = key0;
    int k1 = key1;
    for (int round = 0; round < ROUNDS; round++) {
      if (round > 0) {
        k0 += W0;
        k1 += W1;
      }
      long product0 = (M0 & UNSIGNED_MASK) * (c0 & UNSIGNED_MASK);
      long product1 = (M1 & UNSIGNED_MASK) * (c2 & UNSIGNED_MASK);
      int next0 = (int) (product1 >>> 32) ^ c1 ^ k0;
      int next1 = (int) product1;
      int next2 = (int) (product0 >>> 32) ^ c3 ^ k1;
      int next3 = (int) product0;
      c0 = next0;
      c1 = next1;
      c2 = next2;
      c3 = next3;
    }
    return switch (which) {
      case 0 -> c0;
      case 1 -> c1;
      case 2 -> c2;
      default -> c3;
    };
  }

  /**
   * The uniform number in [0, 1) for element {@code index} of the stream (seed, step, site), as
   * the class documentation specifies.
   */
  public static float uniform(long seed, int step, int site, long index) {
    long quad = index >>> 2;
    int word = word((int) seed, (int) (seed >>> 32), (int) quad, (int) (quad >>> 32), step, site, (int) (index & 3));
    return (word >>> 8) * 0x1.0p-24f;
  }

  /**
   * Fills {@code out[outOffset + k]} with {@code uniform(seed, step, site, firstIndex + k)} for
   * {@code k < count} (the index an unsigned 64-bit integer, wrapping mod 2^64), computing each
   * block once: four consecutive indices share a block, so a run of n numbers costs n / 4 blocks
   * where n calls of {@link #uniform} cost n. The run may start and end anywhere in a block. Generated
   * kernels call it once per row for a dropout mask along the row.
   *
   * @throws IllegalArgumentException if {@code count} is negative
   * @throws IndexOutOfBoundsException if {@code out[outOffset ..< outOffset + count]} is not inside {@code out}
   */
  public static void uniforms(long seed, int step, int site, long firstIndex, float[] out, int outOffset, int count) {
    if (count < 0) throw new IllegalArgumentException("uniforms: count is " + count + "; it cannot be negative");
    if (outOffset < 0 || outOffset > out.length - count) {
      throw new IndexOutOfBoundsException("uniforms: " + count + " numbers from offset " + outOffset
          + " do not fit in an array of length " + out.length);
    }
    UniformRuns.fill((int) seed, (int) (seed >>> 32), step, site, firstIndex, out, outOffset, count);
  }

  /**
   * The standard normal number for element {@code index} of the stream (seed, step, site), by
   * Box–Muller over the uniforms at {@code 2*index} and {@code 2*index + 1}, as the class
   * documentation specifies.
   */
  public static double normal(long seed, int step, int site, long index) {
    double u1 = uniform(seed, step, site, 2 * index);
    double u2 = uniform(seed, step, site, 2 * index + 1);
    return StrictMath.sqrt(-2 * StrictMath.log(1 - u1)) * StrictMath.cos(TWO_PI * u2);
  }
}
