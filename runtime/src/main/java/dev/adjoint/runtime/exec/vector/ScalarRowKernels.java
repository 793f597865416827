package dev.adjoint.runtime.exec.vector;

/** The loops of {@link RowKernels} in plain float arithmetic: the kernel interpreter's order and rounding. */
final class ScalarRowKernels implements RowKernels.Impl {
  @Override
  public float dot(float[] x, int xOffset, float[] y, int yOffset, int length) {
    float acc = 0.0f;
    for (int i = 0; i < length; i++) acc += x[xOffset + i] * y[yOffset + i];
    return acc;
  }

  @Override
  public void addScaled(float[] acc, float weight, float[] x, int xOffset, int length) {
    for (int i = 0; i < length; i++) acc[i] += weight * x[xOffset + i];
  }

  @Override
  public void scaleAddScaled(float[] acc, float scale, float weight, float[] x, int xOffset, int length) {
    for (int i = 0; i < length; i++) acc[i] = acc[i] * scale + weight * x[xOffset + i];
  }

  @Override
  public void dotProducts(float[] out, float[] x, int xOffset, int xStride, int rows, float[] y, int yOffset,
      int yStride, int columns, int length) {
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < columns; j++) {
        out[i * columns + j] = dot(x, xOffset + i * xStride, y, yOffset + j * yStride, length);
      }
    }
  }

  @Override
  public void addWeightedRows(float[] acc, float[] weights, float[] x, int xOffset, int xStride, int rows,
      int length) {
    for (int r = 0; r < rows; r++) addScaled(acc, weights[r], x, xOffset + r * xStride, length);
  }

  @Override
  public void scaleAddWeightedRows(float[] acc, float[] scales, float[] weights, float[] x, int xOffset, int xStride,
      int rows, int length) {
    for (int r = 0; r < rows; r++) scaleAddScaled(acc, scales[r], weights[r], x, xOffset + r * xStride, length);
  }
}
