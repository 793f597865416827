package dev.adjoint.runtime.exec.gemm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API micro-kernel: an 8 × 2V tile (V lanes of the preferred species; 8 × 32 with
 * AVX-512) held in sixteen vector registers. Each step loads two vectors of the right panel,
 * broadcasts eight values of the left panel, and adds the sixteen products. Eight rows rather than
 * six: more products per load, 6 % faster at 1024³ on one Zen 4 core (docs/perf.md).
 *
 * <p>Each step is one fused multiply-add per register ({@code Math.fma}'s bits, in reduction
 * order): with separate {@code mul} and {@code add} the tile issued twice the instructions and ran
 * at 58 % of OpenBLAS at 1024³ on 2 Zen 4 cores; fused, 74 % (docs/perf.md). The scalar kernel
 * keeps the interpreter's rounded products.
 */
final class VectorMicroKernelF32 implements MicroKernelF32 {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();
  private static final int MR = 8;
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
    FloatVector s00;
    FloatVector s01;
    FloatVector s10;
    FloatVector s11;
    FloatVector s20;
    FloatVector s21;
    FloatVector s30;
    FloatVector s31;
    FloatVector s40;
    FloatVector s41;
    FloatVector s50;
    FloatVector s51;
    FloatVector s60;
    FloatVector s61;
    FloatVector s70;
    FloatVector s71;
    if (first) {
      FloatVector zero = FloatVector.zero(SPECIES);
      s00 = zero;
      s01 = zero;
      s10 = zero;
      s11 = zero;
      s20 = zero;
      s21 = zero;
      s30 = zero;
      s31 = zero;
      s40 = zero;
      s41 = zero;
      s50 = zero;
      s51 = zero;
      s60 = zero;
      s61 = zero;
      s70 = zero;
      s71 = zero;
    } else {
      s00 = FloatVector.fromArray(SPECIES, c, c0);
      s01 = FloatVector.fromArray(SPECIES, c, c0 + LANES);
      s10 = FloatVector.fromArray(SPECIES, c, c1);
      s11 = FloatVector.fromArray(SPECIES, c, c1 + LANES);
      s20 = FloatVector.fromArray(SPECIES, c, c2);
      s21 = FloatVector.fromArray(SPECIES, c, c2 + LANES);
      s30 = FloatVector.fromArray(SPECIES, c, c3);
      s31 = FloatVector.fromArray(SPECIES, c, c3 + LANES);
      s40 = FloatVector.fromArray(SPECIES, c, c4);
      s41 = FloatVector.fromArray(SPECIES, c, c4 + LANES);
      s50 = FloatVector.fromArray(SPECIES, c, c5);
      s51 = FloatVector.fromArray(SPECIES, c, c5 + LANES);
      s60 = FloatVector.fromArray(SPECIES, c, c6);
      s61 = FloatVector.fromArray(SPECIES, c, c6 + LANES);
      s70 = FloatVector.fromArray(SPECIES, c, c7);
      s71 = FloatVector.fromArray(SPECIES, c, c7 + LANES);
    }
    int ap = aOffset;
    int bp = bOffset;
    for (int p = 0; p < depth; p++, ap += MR, bp += NR) {
      FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
      FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + LANES);
      FloatVector x = FloatVector.broadcast(SPECIES, a[ap]);
      s00 = x.fma(b0, s00);
      s01 = x.fma(b1, s01);
      x = FloatVector.broadcast(SPECIES, a[ap + 1]);
      s10 = x.fma(b0, s10);
      s11 = x.fma(b1, s11);
      x = FloatVector.broadcast(SPECIES, a[ap + 2]);
      s20 = x.fma(b0, s20);
      s21 = x.fma(b1, s21);
      x = FloatVector.broadcast(SPECIES, a[ap + 3]);
      s30 = x.fma(b0, s30);
      s31 = x.fma(b1, s31);
      x = FloatVector.broadcast(SPECIES, a[ap + 4]);
      s40 = x.fma(b0, s40);
      s41 = x.fma(b1, s41);
      x = FloatVector.broadcast(SPECIES, a[ap + 5]);
      s50 = x.fma(b0, s50);
      s51 = x.fma(b1, s51);
      x = FloatVector.broadcast(SPECIES, a[ap + 6]);
      s60 = x.fma(b0, s60);
      s61 = x.fma(b1, s61);
      x = FloatVector.broadcast(SPECIES, a[ap + 7]);
      s70 = x.fma(b0, s70);
      s71 = x.fma(b1, s71);
    }
    s00.intoArray(c, c0);
    s01.intoArray(c, c0 + LANES);
    s10.intoArray(c, c1);
    s11.intoArray(c, c1 + LANES);
    s20.intoArray(c, c2);
    s21.intoArray(c, c2 + LANES);
    s30.intoArray(c, c3);
    s31.intoArray(c, c3 + LANES);
    s40.intoArray(c, c4);
    s41.intoArray(c, c4 + LANES);
    s50.intoArray(c, c5);
    s51.intoArray(c, c5 + LANES);
    s60.intoArray(c, c6);
    s61.intoArray(c, c6 + LANES);
    s70.intoArray(c, c7);
    s71.intoArray(c, c7 + LANES);
  }

  @Override
  public String describe() {
    return "vector " + MR + "x" + NR + " (" + SPECIES.vectorBitSize() + "-bit)";
  }
}
