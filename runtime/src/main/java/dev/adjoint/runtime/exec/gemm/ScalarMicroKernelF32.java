package dev.adjoint.runtime.exec.gemm;

/**
 * The micro-kernel without the Vector API: plain float arithmetic on a 4×8 tile, accumulated in
 * the output block itself. Used when {@code jdk.incubator.vector} is absent or switched off.
 */
final class ScalarMicroKernelF32 implements MicroKernelF32 {
  private static final int MR = 4;
  private static final int NR = 8;

  @Override
  public boolean fusesMultiplyAdd() {
    return false;
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
    return 0;
  }

  @Override
  public void multiply(int depth, float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset, int cStride,
      boolean first) {
    if (first) {
      for (int r = 0; r < MR; r++) java.util.Arrays.fill(c, cOffset + r * cStride, cOffset + r * cStride + NR, 0.0f);
    }
    for (int p = 0; p < depth; p++) {
      int ap = aOffset + p * MR;
      int bp = bOffset + p * NR;
      for (int r = 0; r < MR; r++) {
        float x = a[ap + r];
        int row = cOffset + r * cStride;
        for (int j = 0; j < NR; j++) c[row + j] += x * b[bp + j];
      }
    }
  }

  @Override
  public String describe() {
    return "scalar " + MR + "x" + NR;
  }
}
