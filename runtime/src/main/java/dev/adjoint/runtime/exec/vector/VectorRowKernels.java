package dev.adjoint.runtime.exec.vector;

import jdk.incubator.vector.FloatVector;
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
}
