package dev.adjoint.runtime.exec.vector;

import dev.adjoint.runtime.exec.ExpF32;

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

  @Override
  public float onlineSoftmax(float[] x, int xOffset, int length, float max, float sum, float[] scales,
      float[] weights) {
    for (int r = 0; r < length; r++) {
      float score = x[xOffset + r];
      float next = Math.max(max, score);
      float scale = next == Float.NEGATIVE_INFINITY ? 1.0f : ExpF32.exp(max - next);
      float weight = next == Float.NEGATIVE_INFINITY ? 0.0f : ExpF32.exp(score - next);
      sum = sum * scale + weight;
      scales[r] = scale;
      weights[r] = weight;
      max = next;
    }
    return sum;
  }
}
