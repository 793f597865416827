package dev.adjoint.runtime.random;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Whole Philox-4x32-10 blocks on the Vector API, one block per long lane: each lane holds a 32-bit
 * word in its low half, so a lane's product is the exact 64-bit product the round splits into high
 * and low words. The numbers are the scalar code's, bit for bit: the same integer operations, and
 * {@code (w >>> 8) * 2^-24} is exact in float either way.
 */
final class VectorUniformBlocks {
  private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_PREFERRED;
  private static final int LANES = LONGS.length();
  /** Floats as many as the long lanes: the words of one position of every block. */
  private static final VectorSpecies<Float> FLOATS =
      VectorSpecies.of(float.class, VectorShape.forBitSize(LONGS.vectorBitSize() / 2));
  private static final long WORD = 0xFFFF_FFFFL;
  /** Block numbers are indices shifted right by 2: they wrap at 2^62 as indices wrap at 2^64. */
  private static final long QUAD = -1L >>> 2;
  private static final LongVector LANE_NUMBERS = LongVector.zero(LONGS).addIndex(1);
  /**
   * Blocks {@code quad}, {@code quad + 1}, … of the stream stored from {@code out[at]} on, four
   * numbers each, in groups of as many blocks as there are lanes; returns how many blocks it
   * stored (a multiple of the lanes, at most {@code blocks}), the rest left to the scalar code.
   */
  int fill(int key0, int key1, int step, int site, long quad, float[] out, int at, int blocks) {
    int groups = blocks / LANES;
    if (groups == 0) return 0;
    LongVector c2Start = LongVector.broadcast(LONGS, step & WORD);
    LongVector c3Start = LongVector.broadcast(LONGS, site & WORD);
    float[] words = new float[4 * LANES];
    for (int g = 0; g < groups; g++, at += 4 * LANES) {
      LongVector quads = LANE_NUMBERS.add(quad + (long) g * LANES).and(QUAD);
      LongVector c0 = quads.and(WORD);
      LongVector c1 = quads.lanewise(VectorOperators.LSHR, 32);
      LongVector c2 = c2Start;
      LongVector c3 = c3Start;
      long k0 = key0 & WORD;
      long k1 = key1 & WORD;
      for (int round = 0; round < Philox4x32.ROUNDS; round++) {
        LongVector product0 = c0.mul(Philox4x32.M0 & WORD);
        LongVector product1 = c2.mul(Philox4x32.M1 & WORD);
        // (c1 ^ k0) and (c3 ^ k1) do not wait for the products: the rounds are a chain of
        // multiply, shift and one exclusive or.
        LongVector keyed1 = c1.lanewise(VectorOperators.XOR, k0);
        LongVector keyed3 = c3.lanewise(VectorOperators.XOR, k1);
        c0 = product1.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, keyed1);
        c1 = product1.and(WORD);
        c2 = product0.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, keyed3);
        c3 = product0.and(WORD);
        k0 = (k0 + (Philox4x32.W0 & WORD)) & WORD;
        k1 = (k1 + (Philox4x32.W1 & WORD)) & WORD;
      }
      // Word w of every lane's block, then interleaved: block b's words go to out[at + 4b ..].
      // (Storing through an index map, a scatter, measured slower than this copy.)
      numbers(c0).intoArray(words, 0);
      numbers(c1).intoArray(words, LANES);
      numbers(c2).intoArray(words, 2 * LANES);
      numbers(c3).intoArray(words, 3 * LANES);
      for (int lane = 0; lane < LANES; lane++) {
        out[at + 4 * lane] = words[lane];
        out[at + 4 * lane + 1] = words[LANES + lane];
        out[at + 4 * lane + 2] = words[2 * LANES + lane];
        out[at + 4 * lane + 3] = words[3 * LANES + lane];
      }
    }
    return groups * LANES;
  }

  /** The uniform numbers of one word of every lane's block: its top 24 bits scaled to [0, 1). */
  private static FloatVector numbers(LongVector words) {
    FloatVector top = (FloatVector) words.lanewise(VectorOperators.LSHR, 8).convertShape(VectorOperators.L2F, FLOATS, 0);
    return top.mul(0x1.0p-24f);
  }
}
