package dev.adjoint.runtime.random;

import dev.adjoint.runtime.exec.VectorSupport;

/**
 * The loop behind {@link Philox4x32#uniforms}: one Philox-4x32-10 block per four numbers, its words
 * stored in index order. A run that starts or ends inside a block takes that block's words from
 * the scalar code here; the whole blocks between go to {@link VectorUniformBlocks} (several blocks
 * at once, one per long lane) where the Vector API runs, else to the scalar code too. Arguments are
 * checked by the caller.
 *
 * <p>The Vector API blocks are 2.5 times as fast as scalar ones in isolation (1.4 against 3.7 ns a
 * number); on the idle 2-core machine the small encoder's training step ran 48–52 ms with them
 * against 53–55 ms with scalar blocks (docs/perf.md). Their first calls run uncompiled (about
 * 0.7 s), which warm-up absorbs.
 */
final class UniformRuns {
  /** Blocks of whole numbers, computed several at a time; null where only the scalar code runs. */
  private static final VectorUniformBlocks VECTOR = select();

  private UniformRuns() {}

  private static VectorUniformBlocks select() {
    if (!VectorSupport.enabled()) return null;
    try {
      return new VectorUniformBlocks();
    } catch (LinkageError e) {
      return null;
    }
  }

  /** Whether whole blocks are computed on the Vector API in this process. */
  static boolean vectorized() {
    return VECTOR != null;
  }

  /** The float of a block word: its top 24 bits scaled to [0, 1). */
  static float toUniform(int word) {
    return (word >>> 8) * 0x1.0p-24f;
  }

  /** {@code out[at + k] = uniform(key, step, site, first + k)} for {@code k < count}, with the key as two words. */
  static void fill(int key0, int key1, int step, int site, long first, float[] out, int at, int count) {
    int end = at + count;
    long index = first;
    int lane = (int) index & 3;
    if (lane != 0 && at < end) {
      int take = Math.min(4 - lane, end - at);
      block(key0, key1, step, site, index >>> 2, out, at, lane, lane + take);
      at += take;
      index += take;
    }
    int blocks = (end - at) >>> 2;
    int done = VECTOR == null ? 0 : VECTOR.fill(key0, key1, step, site, index >>> 2, out, at, blocks);
    at += 4 * done;
    index += 4L * done;
    for (; done < blocks; done++, at += 4, index += 4) block(key0, key1, step, site, index >>> 2, out, at, 0, 4);
    if (at < end) block(key0, key1, step, site, index >>> 2, out, at, 0, end - at);
  }

  /** Words {@code from} to {@code to - 1} of block {@code quad}, stored from {@code out[at]} on. */
  private static void block(int key0, int key1, int step, int site, long quad, float[] out, int at, int from, int to) {
    int c0 = (int) quad;
    int c1 = (int) (quad >>> 32);
    int c2 = step;
    int c3 = site;
    int k0 = key0;
    int k1 = key1;
    for (int round = 0; round < Philox4x32.ROUNDS; round++) {
      long product0 = (Philox4x32.M0 & 0xFFFF_FFFFL) * (c0 & 0xFFFF_FFFFL);
      long product1 = (Philox4x32.M1 & 0xFFFF_FFFFL) * (c2 & 0xFFFF_FFFFL);
      // (c1 ^ k0) and (c3 ^ k1) do not wait for the products: one operation less after them.
      c0 = (int) (product1 >>> 32) ^ (c1 ^ k0);
      c1 = (int) product1;
      c2 = (int) (product0 >>> 32) ^ (c3 ^ k1);
      c3 = (int) product0;
      // Bumped after every round: the bump after the last one is never used.
      k0 += Philox4x32.W0;
      k1 += Philox4x32.W1;
    }
    if (from == 0 && to == 4) {
      out[at] = toUniform(c0);
      out[at + 1] = toUniform(c1);
      out[at + 2] = toUniform(c2);
      out[at + 3] = toUniform(c3);
      return;
    }
    for (int word = from; word < to; word++, at++) {
      out[at] = toUniform(switch (word) {
        case 0 -> c0;
        case 1 -> c1;
        case 2 -> c2;
        default -> c3;
      });
    }
  }
}
