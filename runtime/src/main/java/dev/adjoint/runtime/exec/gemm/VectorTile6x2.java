package dev.adjoint.runtime.exec.gemm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API micro-kernel with a 6 × 2V register tile (V lanes of the preferred species): 12
 * accumulators, plus 2 vectors of the right panel and one broadcast of the left, 15 vector registers
 * in all. Each step is one fused multiply-add per accumulator ({@code Math.fma}'s bits, in reduction
 * order), so every variant gives the same bits. Written by {@code tools/gemm/micro_kernels.py}.
 */
final class VectorTile6x2 implements MicroKernelF32 {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();
  private static final int MR = 6;
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
  }

  @Override
  public String describe() {
    return "vector " + MR + "x" + NR + " (" + SPECIES.vectorBitSize() + "-bit)";
  }
}
