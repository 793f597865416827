package dev.adjoint.runtime.exec.gemm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API micro-kernel with a 14 × 2V register tile (V lanes of the preferred species): 28
 * accumulators, plus 2 vectors of the right panel and one broadcast of the left, 31 vector registers
 * in all. Each step is one fused multiply-add per accumulator ({@code Math.fma}'s bits, in reduction
 * order), so every variant gives the same bits. Written by {@code tools/gemm/micro_kernels.py}.
 */
final class VectorTile14x2 implements MicroKernelF32 {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();
  private static final int MR = 14;
  private static final int NR = 2 * LANES;

  @Override
  public boolean fusesMultiplyAdd() {
    return true;
  }

  @Override
  public int rows() {
    return MR;
  }

  @Override
  public int columns() {
    return NR;
  }

  @Override
  public int vectors() {
    return 2;
  }

  @Override
  public void multiply(int depth, float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset, int cStride,
      boolean first) {
    int c0 = cOffset;
    int c1 = c0 + cStride;
    int c2 = c1 + cStride;
    int c3 = c2 + cStride;
    int c4 = c3 + cStride;
    int c5 = c4 + cStride;
    int c6 = c5 + cStride;
    int c7 = c6 + cStride;
    int c8 = c7 + cStride;
    int c9 = c8 + cStride;
    int c10 = c9 + cStride;
    int c11 = c10 + cStride;
    int c12 = c11 + cStride;
    int c13 = c12 + cStride;
    FloatVector s0_0;
    FloatVector s0_1;
    FloatVector s1_0;
    FloatVector s1_1;
    FloatVector s2_0;
    FloatVector s2_1;
    FloatVector s3_0;
    FloatVector s3_1;
    FloatVector s4_0;
    FloatVector s4_1;
    FloatVector s5_0;
    FloatVector s5_1;
    FloatVector s6_0;
    FloatVector s6_1;
    FloatVector s7_0;
    FloatVector s7_1;
    FloatVector s8_0;
    FloatVector s8_1;
    FloatVector s9_0;
    FloatVector s9_1;
    FloatVector s10_0;
    FloatVector s10_1;
    FloatVector s11_0;
    FloatVector s11_1;
    FloatVector s12_0;
    FloatVector s12_1;
    FloatVector s13_0;
    FloatVector s13_1;
    if (first) {
      FloatVector zero = FloatVector.zero(SPECIES);
      s0_0 = zero;
      s0_1 = zero;
      s1_0 = zero;
      s1_1 = zero;
      s2_0 = zero;
      s2_1 = zero;
      s3_0 = zero;
      s3_1 = zero;
      s4_0 = zero;
      s4_1 = zero;
      s5_0 = zero;
      s5_1 = zero;
      s6_0 = zero;
      s6_1 = zero;
      s7_0 = zero;
      s7_1 = zero;
      s8_0 = zero;
      s8_1 = zero;
      s9_0 = zero;
      s9_1 = zero;
      s10_0 = zero;
      s10_1 = zero;
      s11_0 = zero;
      s11_1 = zero;
      s12_0 = zero;
      s12_1 = zero;
      s13_0 = zero;
      s13_1 = zero;
    } else {
      s0_0 = FloatVector.fromArray(SPECIES, c, c0);
      s0_1 = FloatVector.fromArray(SPECIES, c, c0 + LANES);
      s1_0 = FloatVector.fromArray(SPECIES, c, c1);
      s1_1 = FloatVector.fromArray(SPECIES, c, c1 + LANES);
      s2_0 = FloatVector.fromArray(SPECIES, c, c2);
      s2_1 = FloatVector.fromArray(SPECIES, c, c2 + LANES);
      s3_0 = FloatVector.fromArray(SPECIES, c, c3);
      s3_1 = FloatVector.fromArray(SPECIES, c, c3 + LANES);
      s4_0 = FloatVector.fromArray(SPECIES, c, c4);
      s4_1 = FloatVector.fromArray(SPECIES, c, c4 + LANES);
      s5_0 = FloatVector.fromArray(SPECIES, c, c5);
      s5_1 = FloatVector.fromArray(SPECIES, c, c5 + LANES);
      s6_0 = FloatVector.fromArray(SPECIES, c, c6);
      s6_1 = FloatVector.fromArray(SPECIES, c, c6 + LANES);
      s7_0 = FloatVector.fromArray(SPECIES, c, c7);
      s7_1 = FloatVector.fromArray(SPECIES, c, c7 + LANES);
      s8_0 = FloatVector.fromArray(SPECIES, c, c8);
      s8_1 = FloatVector.fromArray(SPECIES, c, c8 + LANES);
      s9_0 = FloatVector.fromArray(SPECIES, c, c9);
      s9_1 = FloatVector.fromArray(SPECIES, c, c9 + LANES);
      s10_0 = FloatVector.fromArray(SPECIES, c, c10);
      s10_1 = FloatVector.fromArray(SPECIES, c, c10 + LANES);
      s11_0 = FloatVector.fromArray(SPECIES, c, c11);
      s11_1 = FloatVector.fromArray(SPECIES, c, c11 + LANES);
      s12_0 = FloatVector.fromArray(SPECIES, c, c12);
      s12_1 = FloatVector.fromArray(SPECIES, c, c12 + LANES);
      s13_0 = FloatVector.fromArray(SPECIES, c, c13);
      s13_1 = FloatVector.fromArray(SPECIES, c, c13 + LANES);
    }
    int ap = aOffset;
    int bp = bOffset;
    for (int p = 0; p < depth; p++, ap += MR, bp += NR) {
      FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
      FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + LANES);
      FloatVector x = FloatVector.broadcast(SPECIES, a[ap]);
      s0_0 = x.fma(b0, s0_0);
      s0_1 = x.fma(b1, s0_1);
      x = FloatVector.broadcast(SPECIES, a[ap + 1]);
      s1_0 = x.fma(b0, s1_0);
      s1_1 = x.fma(b1, s1_1);
      x = FloatVector.broadcast(SPECIES, a[ap + 2]);
      s2_0 = x.fma(b0, s2_0);
      s2_1 = x.fma(b1, s2_1);
      x = FloatVector.broadcast(SPECIES, a[ap + 3]);
      s3_0 = x.fma(b0, s3_0);
      s3_1 = x.fma(b1, s3_1);
      x = FloatVector.broadcast(SPECIES, a[ap + 4]);
      s4_0 = x.fma(b0, s4_0);
      s4_1 = x.fma(b1, s4_1);
      x = FloatVector.broadcast(SPECIES, a[ap + 5]);
      s5_0 = x.fma(b0, s5_0);
      s5_1 = x.fma(b1, s5_1);
      x = FloatVector.broadcast(SPECIES, a[ap + 6]);
      s6_0 = x.fma(b0, s6_0);
      s6_1 = x.fma(b1, s6_1);
      x = FloatVector.broadcast(SPECIES, a[ap + 7]);
      s7_0 = x.fma(b0, s7_0);
      s7_1 = x.fma(b1, s7_1);
      x = FloatVector.broadcast(SPECIES, a[ap + 8]);
      s8_0 = x.fma(b0, s8_0);
      s8_1 = x.fma(b1, s8_1);
      x = FloatVector.broadcast(SPECIES, a[ap + 9]);
      s9_0 = x.fma(b0, s9_0);
      s9_1 = x.fma(b1, s9_1);
      x = FloatVector.broadcast(SPECIES, a[ap + 10]);
      s10_0 = x.fma(b0, s10_0);
      s10_1 = x.fma(b1, s10_1);
      x = FloatVector.broadcast(SPECIES, a[ap + 11]);
      s11_0 = x.fma(b0, s11_0);
      s11_1 = x.fma(b1, s11_1);
      x = FloatVector.broadcast(SPECIES, a[ap + 12]);
      s12_0 = x.fma(b0, s12_0);
      s12_1 = x.fma(b1, s12_1);
      x = FloatVector.broadcast(SPECIES, a[ap + 13]);
      s13_0 = x.fma(b0, s13_0);
      s13_1 = x.fma(b1, s13_1);
    }
    s0_0.intoArray(c, c0);
    s0_1.intoArray(c, c0 + LANES);
    s1_0.intoArray(c, c1);
    s1_1.intoArray(c, c1 + LANES);
    s2_0.intoArray(c, c2);
    s2_1.intoArray(c, c2 + LANES);
    s3_0.intoArray(c, c3);
    s3_1.intoArray(c, c3 + LANES);
    s4_0.intoArray(c, c4);
    s4_1.intoArray(c, c4 + LANES);
    s5_0.intoArray(c, c5);
    s5_1.intoArray(c, c5 + LANES);
    s6_0.intoArray(c, c6);
    s6_1.intoArray(c, c6 + LANES);
    s7_0.intoArray(c, c7);
    s7_1.intoArray(c, c7 + LANES);
    s8_0.intoArray(c, c8);
    s8_1.intoArray(c, c8 + LANES);
    s9_0.intoArray(c, c9);
    s9_1.intoArray(c, c9 + LANES);
    s10_0.intoArray(c, c10);
    s10_1.intoArray(c, c10 + LANES);
    s11_0.intoArray(c, c11);
    s11_1.intoArray(c, c11 + LANES);
    s12_0.intoArray(c, c12);
    s12_1.intoArray(c, c12 + LANES);
    s13_0.intoArray(c, c13);
    s13_1.intoArray(c, c13 + LANES);
  }

  @Override
  public String describe() {
    return "vector " + MR + "x" + NR + " (" + SPECIES.vectorBitSize() + "-bit)";
  }
}
