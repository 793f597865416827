package dev.adjoint.runtime.random;

/**
 * The loop behind {@link Philox4x32#uniforms}: one Philox-4x32-10 block per four numbers, its words
 * stored in index order. Arguments are checked by the caller.
 *
 * <p>Scalar on purpose: blocks on the Vector API, one per long lane, were 2.5 times as fast in
 * isolation, but the encoder's training step was not reliably faster with them (from run to run
 * 8 % faster to 25 % slower a step), and their first calls ran uncompiled for about 0.7 s.
 */
final class UniformRuns {
  private UniformRuns() {}

  /** The float of a block word: its top 24 bits scaled to [0, 1). */
  static float toUniform(int word) {
    return (word >>> 8) * 0x1.0p-24f;
  }

  /** {@code out[at + k] = uniform(key, step, site, first + k)} for {@code k < count}, with the key as two words. */
  static void fill(int key0, int key1, int step, int site, long first, float[] out, int at, int count) {
    long index = first;
    int end = at + count;
    while (at < end) {
      long quad = index >>> 2;
      int c0 = (int) quad;
      int c1 = (int) (quad >>> 32);
      int c2 = step;
      int c3 = site;
      int k0 = key0;
      int k1 = key1;
      for (int round = 0; round < Philox4x32.ROUNDS; round++) {
        long product0 = (Philox4x32.M0 & 0xFFFF_FFFFL) * (c0 & 0xFFFF_FFFFL);
        long product1 = (Philox4x32.M1 & 0xFFFF_FFFFL) * (c2 & 0xFFFF_FFFFL);
        c0 = (int) (product1 >>> 32) ^ c1 ^ k0;
        c1 = (int) product1;
        c2 = (int) (product0 >>> 32) ^ c3 ^ k1;
        c3 = (int) product0;
        // Bumped after every round: the bump after the last one is never used.
        k0 += Philox4x32.W0;
        k1 += Philox4x32.W1;
      }
      int lane = (int) index & 3;
      if (lane == 0 && end - at >= 4) {
        out[at] = toUniform(c0);
        out[at + 1] = toUniform(c1);
        out[at + 2] = toUniform(c2);
        out[at + 3] = toUniform(c3);
        at += 4;
        index += 4;
        continue;
      }
      // A block the run starts or ends inside: its words from lane on, as many as the run takes.
      for (; lane < 4 && at < end; lane++, at++, index++) {
        out[at] = toUniform(switch (lane) {
          case 0 -> c0;
          case 1 -> c1;
          case 2 -> c2;
          default -> c3;
        });
      }
    }
  }
}
