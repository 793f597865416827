package dev.adjoint.runtime.exec.vector;

import dev.adjoint.runtime.exec.ExpF32;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The loops of {@link RowKernels} on the preferred vector species, with a scalar tail. Products and
 * sums stay separate operations (no fused multiply-add), so the elementwise loops give the scalar
 * loop's bits; the dot product keeps two vectors of partial sums and adds their lanes in lane
 * order, the same bits interpreted or compiled.
 */
final class VectorRowKernels implements RowKernels.Impl {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();
  /**
   * Per thread, {@link #dotProducts}'s copy of y's runs transposed ({@code packed[d * columns + j]}),
   * so that one vector load holds element d of many runs; kept between calls, grown when too small.
   */
  private static final ThreadLocal<float[]> PACKED = ThreadLocal.withInitial(() -> new float[0]);
  /** Per thread, {@link #onlineSoftmax}'s running maxima; kept between calls, grown when too small. */
  private static final ThreadLocal<float[]> MAXIMA = ThreadLocal.withInitial(() -> new float[0]);

  @Override
  public float dot(float[] x, int xOffset, float[] y, int yOffset, int length) {
    FloatVector s0 = FloatVector.zero(SPECIES);
    FloatVector s1 = FloatVector.zero(SPECIES);
    int i = 0;
    for (; i + 2 * LANES <= length; i += 2 * LANES) {
      s0 = s0.add(FloatVector.fromArray(SPECIES, x, xOffset + i).mul(FloatVector.fromArray(SPECIES, y, yOffset + i)));
      s1 = s1.add(FloatVector.fromArray(SPECIES, x, xOffset + i + LANES)
          .mul(FloatVector.fromArray(SPECIES, y, yOffset + i + LANES)));
    }
    for (; i + LANES <= length; i += LANES) {
      s0 = s0.add(FloatVector.fromArray(SPECIES, x, xOffset + i).mul(FloatVector.fromArray(SPECIES, y, yOffset + i)));
    }
    // Lanes summed one by one, in lane order: reduceLanes(ADD) leaves the order open, and the JIT's
    // order differs from the interpreter's, so a result would change once the method is compiled.
    FloatVector sum = s0.add(s1);
    float acc = 0.0f;
    for (int lane = 0; lane < LANES; lane++) acc += sum.lane(lane);
    for (; i < length; i++) acc += x[xOffset + i] * y[yOffset + i];
    return acc;
  }

  @Override
  public void addScaled(float[] acc, float weight, float[] x, int xOffset, int length) {
    FloatVector w = FloatVector.broadcast(SPECIES, weight);
    int i = 0;
    for (int bound = SPECIES.loopBound(length); i < bound; i += LANES) {
      FloatVector a = FloatVector.fromArray(SPECIES, acc, i);
      a.add(w.mul(FloatVector.fromArray(SPECIES, x, xOffset + i))).intoArray(acc, i);
    }
    for (; i < length; i++) acc[i] += weight * x[xOffset + i];
  }

  @Override
  public void scaleAddScaled(float[] acc, float scale, float weight, float[] x, int xOffset, int length) {
    FloatVector s = FloatVector.broadcast(SPECIES, scale);
    FloatVector w = FloatVector.broadcast(SPECIES, weight);
    int i = 0;
    for (int bound = SPECIES.loopBound(length); i < bound; i += LANES) {
      FloatVector a = FloatVector.fromArray(SPECIES, acc, i);
      a.mul(s).add(w.mul(FloatVector.fromArray(SPECIES, x, xOffset + i))).intoArray(acc, i);
    }
    for (; i < length; i++) acc[i] = acc[i] * scale + weight * x[xOffset + i];
  }

  @Override
  public void dotProducts(float[] out, float[] x, int xOffset, int xStride, int rows, float[] y, int yOffset,
      int yStride, int columns, int length) {
    int size = Math.multiplyExact(length, columns);
    float[] packed = PACKED.get();
    if (packed.length < size) {
      packed = new float[size];
      PACKED.set(packed);
    }
    for (int j = 0; j < columns; j++) {
      int from = yOffset + j * yStride;
      for (int d = 0; d < length; d++) packed[d * columns + j] = y[from + d];
    }
    int i = 0;
    for (; i + 4 <= rows; i += 4) fourRows(out, i, x, xOffset + i * xStride, xStride, packed, columns, length);
    for (; i < rows; i++) oneRow(out, i, x, xOffset + i * xStride, packed, columns, length);
  }

  /**
   * Rows {@code row} to {@code row + 3}: each loaded vector of packed y serves four rows, and each
   * lane sums its own column in index order, product then sum, as the scalar loop does.
   */
  private static void fourRows(float[] out, int row, float[] x, int x0, int xStride, float[] packed, int columns,
      int length) {
    int x1 = x0 + xStride;
    int x2 = x1 + xStride;
    int x3 = x2 + xStride;
    int o0 = row * columns;
    int o1 = o0 + columns;
    int o2 = o1 + columns;
    int o3 = o2 + columns;
    int j = 0;
    for (; j + 2 * LANES <= columns; j += 2 * LANES) {
      FloatVector s00 = FloatVector.zero(SPECIES);
      FloatVector s01 = s00;
      FloatVector s10 = s00;
      FloatVector s11 = s00;
      FloatVector s20 = s00;
      FloatVector s21 = s00;
      FloatVector s30 = s00;
      FloatVector s31 = s00;
      for (int d = 0, at = j; d < length; d++, at += columns) {
        FloatVector b0 = FloatVector.fromArray(SPECIES, packed, at);
        FloatVector b1 = FloatVector.fromArray(SPECIES, packed, at + LANES);
        FloatVector a = FloatVector.broadcast(SPECIES, x[x0 + d]);
        s00 = s00.add(a.mul(b0));
        s01 = s01.add(a.mul(b1));
        a = FloatVector.broadcast(SPECIES, x[x1 + d]);
        s10 = s10.add(a.mul(b0));
        s11 = s11.add(a.mul(b1));
        a = FloatVector.broadcast(SPECIES, x[x2 + d]);
        s20 = s20.add(a.mul(b0));
        s21 = s21.add(a.mul(b1));
        a = FloatVector.broadcast(SPECIES, x[x3 + d]);
        s30 = s30.add(a.mul(b0));
        s31 = s31.add(a.mul(b1));
      }
      s00.intoArray(out, o0 + j);
      s01.intoArray(out, o0 + j + LANES);
      s10.intoArray(out, o1 + j);
      s11.intoArray(out, o1 + j + LANES);
      s20.intoArray(out, o2 + j);
      s21.intoArray(out, o2 + j + LANES);
      s30.intoArray(out, o3 + j);
      s31.intoArray(out, o3 + j + LANES);
    }
    for (; j + LANES <= columns; j += LANES) {
      FloatVector s0 = FloatVector.zero(SPECIES);
      FloatVector s1 = s0;
      FloatVector s2 = s0;
      FloatVector s3 = s0;
      for (int d = 0, at = j; d < length; d++, at += columns) {
        FloatVector b = FloatVector.fromArray(SPECIES, packed, at);
        s0 = s0.add(FloatVector.broadcast(SPECIES, x[x0 + d]).mul(b));
        s1 = s1.add(FloatVector.broadcast(SPECIES, x[x1 + d]).mul(b));
        s2 = s2.add(FloatVector.broadcast(SPECIES, x[x2 + d]).mul(b));
        s3 = s3.add(FloatVector.broadcast(SPECIES, x[x3 + d]).mul(b));
      }
      s0.intoArray(out, o0 + j);
      s1.intoArray(out, o1 + j);
      s2.intoArray(out, o2 + j);
      s3.intoArray(out, o3 + j);
    }
    for (; j < columns; j++) {
      out[o0 + j] = packedDot(x, x0, packed, j, columns, length);
      out[o1 + j] = packedDot(x, x1, packed, j, columns, length);
      out[o2 + j] = packedDot(x, x2, packed, j, columns, length);
      out[o3 + j] = packedDot(x, x3, packed, j, columns, length);
    }
  }

  /** One row, for the rows left over after blocks of four. */
  private static void oneRow(float[] out, int row, float[] x, int x0, float[] packed, int columns, int length) {
    int o0 = row * columns;
    int j = 0;
    for (; j + LANES <= columns; j += LANES) {
      FloatVector s = FloatVector.zero(SPECIES);
      for (int d = 0, at = j; d < length; d++, at += columns) {
        s = s.add(FloatVector.broadcast(SPECIES, x[x0 + d]).mul(FloatVector.fromArray(SPECIES, packed, at)));
      }
      s.intoArray(out, o0 + j);
    }
    for (; j < columns; j++) out[o0 + j] = packedDot(x, x0, packed, j, columns, length);
  }

  /** Column {@code j} of one row in scalar arithmetic: the bits every vector lane computes. */
  private static float packedDot(float[] x, int x0, float[] packed, int j, int columns, int length) {
    float acc = 0.0f;
    for (int d = 0, at = j; d < length; d++, at += columns) acc += x[x0 + d] * packed[at];
    return acc;
  }

  @Override
  public void addWeightedRows(float[] acc, float[] weights, float[] x, int xOffset, int xStride, int rows,
      int length) {
    int i = 0;
    // Four vectors of the accumulator at a time: four sums in flight per row, not one add's latency per row.
    for (; i + 4 * LANES <= length; i += 4 * LANES) {
      FloatVector a0 = FloatVector.fromArray(SPECIES, acc, i);
      FloatVector a1 = FloatVector.fromArray(SPECIES, acc, i + LANES);
      FloatVector a2 = FloatVector.fromArray(SPECIES, acc, i + 2 * LANES);
      FloatVector a3 = FloatVector.fromArray(SPECIES, acc, i + 3 * LANES);
      for (int r = 0, at = xOffset + i; r < rows; r++, at += xStride) {
        FloatVector w = FloatVector.broadcast(SPECIES, weights[r]);
        a0 = a0.add(w.mul(FloatVector.fromArray(SPECIES, x, at)));
        a1 = a1.add(w.mul(FloatVector.fromArray(SPECIES, x, at + LANES)));
        a2 = a2.add(w.mul(FloatVector.fromArray(SPECIES, x, at + 2 * LANES)));
        a3 = a3.add(w.mul(FloatVector.fromArray(SPECIES, x, at + 3 * LANES)));
      }
      a0.intoArray(acc, i);
      a1.intoArray(acc, i + LANES);
      a2.intoArray(acc, i + 2 * LANES);
      a3.intoArray(acc, i + 3 * LANES);
    }
    for (; i + 2 * LANES <= length; i += 2 * LANES) {
      FloatVector a0 = FloatVector.fromArray(SPECIES, acc, i);
      FloatVector a1 = FloatVector.fromArray(SPECIES, acc, i + LANES);
      for (int r = 0, at = xOffset + i; r < rows; r++, at += xStride) {
        FloatVector w = FloatVector.broadcast(SPECIES, weights[r]);
        a0 = a0.add(w.mul(FloatVector.fromArray(SPECIES, x, at)));
        a1 = a1.add(w.mul(FloatVector.fromArray(SPECIES, x, at + LANES)));
      }
      a0.intoArray(acc, i);
      a1.intoArray(acc, i + LANES);
    }
    for (; i + LANES <= length; i += LANES) {
      FloatVector a = FloatVector.fromArray(SPECIES, acc, i);
      for (int r = 0, at = xOffset + i; r < rows; r++, at += xStride) {
        a = a.add(FloatVector.broadcast(SPECIES, weights[r]).mul(FloatVector.fromArray(SPECIES, x, at)));
      }
      a.intoArray(acc, i);
    }
    for (; i < length; i++) {
      float a = acc[i];
      for (int r = 0, at = xOffset + i; r < rows; r++, at += xStride) a += weights[r] * x[at];
      acc[i] = a;
    }
  }

  @Override
  public void scaleAddWeightedRows(float[] acc, float[] scales, float[] weights, float[] x, int xOffset, int xStride,
      int rows, int length) {
    int i = 0;
    for (; i + 4 * LANES <= length; i += 4 * LANES) {
      FloatVector a0 = FloatVector.fromArray(SPECIES, acc, i);
      FloatVector a1 = FloatVector.fromArray(SPECIES, acc, i + LANES);
      FloatVector a2 = FloatVector.fromArray(SPECIES, acc, i + 2 * LANES);
      FloatVector a3 = FloatVector.fromArray(SPECIES, acc, i + 3 * LANES);
      for (int r = 0, at = xOffset + i; r < rows; r++, at += xStride) {
        FloatVector s = FloatVector.broadcast(SPECIES, scales[r]);
        FloatVector w = FloatVector.broadcast(SPECIES, weights[r]);
        a0 = a0.mul(s).add(w.mul(FloatVector.fromArray(SPECIES, x, at)));
        a1 = a1.mul(s).add(w.mul(FloatVector.fromArray(SPECIES, x, at + LANES)));
        a2 = a2.mul(s).add(w.mul(FloatVector.fromArray(SPECIES, x, at + 2 * LANES)));
        a3 = a3.mul(s).add(w.mul(FloatVector.fromArray(SPECIES, x, at + 3 * LANES)));
      }
      a0.intoArray(acc, i);
      a1.intoArray(acc, i + LANES);
      a2.intoArray(acc, i + 2 * LANES);
      a3.intoArray(acc, i + 3 * LANES);
    }
    for (; i + 2 * LANES <= length; i += 2 * LANES) {
      FloatVector a0 = FloatVector.fromArray(SPECIES, acc, i);
      FloatVector a1 = FloatVector.fromArray(SPECIES, acc, i + LANES);
      for (int r = 0, at = xOffset + i; r < rows; r++, at += xStride) {
        FloatVector s = FloatVector.broadcast(SPECIES, scales[r]);
        FloatVector w = FloatVector.broadcast(SPECIES, weights[r]);
        a0 = a0.mul(s).add(w.mul(FloatVector.fromArray(SPECIES, x, at)));
        a1 = a1.mul(s).add(w.mul(FloatVector.fromArray(SPECIES, x, at + LANES)));
      }
      a0.intoArray(acc, i);
      a1.intoArray(acc, i + LANES);
    }
    for (; i + LANES <= length; i += LANES) {
      FloatVector a = FloatVector.fromArray(SPECIES, acc, i);
      for (int r = 0, at = xOffset + i; r < rows; r++, at += xStride) {
        a = a.mul(FloatVector.broadcast(SPECIES, scales[r]))
            .add(FloatVector.broadcast(SPECIES, weights[r]).mul(FloatVector.fromArray(SPECIES, x, at)));
      }
      a.intoArray(acc, i);
    }
    for (; i < length; i++) {
      float a = acc[i];
      for (int r = 0, at = xOffset + i; r < rows; r++, at += xStride) a = a * scales[r] + weights[r] * x[at];
      acc[i] = a;
    }
  }

  @Override
  public float onlineSoftmax(float[] x, int xOffset, int length, float max, float sum, float[] scales,
      float[] weights) {
    float[] maxima = MAXIMA.get();
    if (maxima.length < length + 1) {
      maxima = new float[length + 1];
      MAXIMA.set(maxima);
    }
    // The running maximum is the only value one key passes to the next, apart from the sum: maxima[r]
    // is the maximum before key r, maxima[r + 1] after it. A score below it leaves it as Math.max
    // would, and a branch that rarely goes the other way takes no max instruction's latency per key.
    float running = max;
    maxima[0] = running;
    for (int r = 0; r < length; r++) {
      float score = x[xOffset + r];
      if (!(score < running)) running = Math.max(running, score);
      maxima[r + 1] = running;
    }
    int r = 0;
    if (ExpF32.polynomialInUse()) {
      FloatVector minusInfinity = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
      FloatVector zero = FloatVector.zero(SPECIES);
      FloatVector one = FloatVector.broadcast(SPECIES, 1.0f);
      // One exp per loop: each loop's body stays small enough for the JIT to inline the exp whole.
      int bound = SPECIES.loopBound(length);
      for (int v = 0; v < bound; v += LANES) {
        FloatVector before = FloatVector.fromArray(SPECIES, maxima, v);
        FloatVector next = FloatVector.fromArray(SPECIES, maxima, v + 1);
        VectorMask<Float> empty = next.compare(VectorOperators.EQ, minusInfinity);
        VectorRowMaps.exp(before.sub(next)).blend(one, empty).intoArray(scales, v);
      }
      for (; r < bound; r += LANES) {
        FloatVector next = FloatVector.fromArray(SPECIES, maxima, r + 1);
        FloatVector score = FloatVector.fromArray(SPECIES, x, xOffset + r);
        VectorMask<Float> empty = next.compare(VectorOperators.EQ, minusInfinity);
        VectorRowMaps.exp(score.sub(next)).blend(zero, empty).intoArray(weights, r);
      }
    }
    for (; r < length; r++) {
      float next = maxima[r + 1];
      scales[r] = next == Float.NEGATIVE_INFINITY ? 1.0f : ExpF32.exp(maxima[r] - next);
      weights[r] = next == Float.NEGATIVE_INFINITY ? 0.0f : ExpF32.exp(x[xOffset + r] - next);
    }
    // Once the maximum settles the scales are exactly 1, and sum * 1 is sum: one add's latency per key.
    for (int k = 0; k < length; k++) {
      float scale = scales[k];
      sum = scale == 1.0f ? sum + weights[k] : sum * scale + weights[k];
    }
    return sum;
  }

}
