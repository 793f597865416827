package dev.adjoint.train;

import dev.adjoint.runtime.init.ParamInitializer;
import dev.adjoint.runtime.random.Philox4x32;
import java.util.Objects;

/**
 * A deterministic stream of random integers for the data pipeline (task generation, the held-out
 * split, shuffling), made from Philox-4x32-10 words like everything random in Adjoint: word
 * {@code i} of stream {@code purpose} under {@code seed} is output word {@code i & 3} of
 * {@code block(seed, counter = (i >>> 2 as two words, step = }{@value #DATA_STEP}{@code ,
 * site = FNV-1a(purpose)))}. Step {@value #DATA_STEP} is reserved for data, apart from
 * initialisation (-1) and the training steps (0, 1, …) that dropout draws at, so data randomness
 * never correlates with either. The same seed and purpose give the same numbers on every machine.
 */
final class SeededStream {
  /** The Philox step reserved for data streams. */
  static final int DATA_STEP = -2;

  private final long seed;
  private final int site;
  private long next;
  private int[] block;

  SeededStream(long seed, String purpose) {
    this.seed = seed;
    this.site = ParamInitializer.siteOf(Objects.requireNonNull(purpose, "purpose"));
  }

  /** The next 32 random bits. */
  int nextBits() {
    long i = next++;
    if ((i & 3) == 0 || block == null) {
      long quad = i >>> 2;
      block = Philox4x32.block((int) seed, (int) (seed >>> 32), (int) quad, (int) (quad >>> 32), DATA_STEP, site);
    }
    return block[(int) (i & 3)];
  }

  /**
   * A number in {@code [0, bound)}: the high word of the 64-bit product of 32 random bits and the
   * bound (Lemire's method without the rejection step; its bias, under bound / 2^32, is far below
   * anything the data pipeline could notice).
   */
  int nextInt(int bound) {
    if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
    return (int) (((nextBits() & 0xFFFF_FFFFL) * bound) >>> 32);
  }

  /** A number in {@code [lo, hi]}. */
  int nextInt(int lo, int hi) {
    return lo + nextInt(hi - lo + 1);
  }

  /** {@code 0, 1, …, n-1} in a random order (Fisher–Yates, from the end). */
  int[] permutation(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) p[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
