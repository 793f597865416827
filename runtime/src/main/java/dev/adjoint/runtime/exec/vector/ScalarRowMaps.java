package dev.adjoint.runtime.exec.vector;

import dev.adjoint.runtime.exec.ExpF32;

/** The loops of {@link RowMaps} as plain Java loops, where the Vector API is absent or off. */
final class ScalarRowMaps implements RowMaps.Impl {
  @Override
  public void rows(RowMaps.Op op, float[] out, int outOffset, float[] x, int xOffset, float[] y, int yOffset,
      int length) {
    for (int i = 0; i < length; i++) out[outOffset + i] = op.apply(x[xOffset + i], y[yOffset + i]);
  }

  @Override
  public void rowScalar(RowMaps.Op op, float[] out, int outOffset, float[] x, int xOffset, float y, int length) {
    for (int i = 0; i < length; i++) out[outOffset + i] = op.apply(x[xOffset + i], y);
  }

  @Override
  public void scalarRow(RowMaps.Op op, float[] out, int outOffset, float x, float[] y, int yOffset, int length) {
    for (int i = 0; i < length; i++) out[outOffset + i] = op.apply(x, y[yOffset + i]);
  }

  @Override
  public void negate(float[] out, int outOffset, float[] x, int xOffset, int length) {
    for (int i = 0; i < length; i++) out[outOffset + i] = -x[xOffset + i];
  }

  @Override
  public void exp(float[] out, int outOffset, float[] x, int xOffset, int length) {
    for (int i = 0; i < length; i++) out[outOffset + i] = ExpF32.exp(x[xOffset + i]);
  }

  @Override
  public float maxOf(float initial, float[] x, int xOffset, int length) {
    float max = initial;
    for (int i = 0; i < length; i++) max = Math.max(max, x[xOffset + i]);
    return max;
  }

  @Override
  public void select(float[] out, int outOffset, RowMaps.Compare cmp, float[] x, int xOffset, float y, float[] a,
      int aOffset, float aValue, float[] b, int bOffset, float bValue, int length) {
    for (int i = 0; i < length; i++) {
      out[outOffset + i] = cmp.test(x[xOffset + i], y) ? (a == null ? aValue : a[aOffset + i])
          : (b == null ? bValue : b[bOffset + i]);
    }
  }
}
