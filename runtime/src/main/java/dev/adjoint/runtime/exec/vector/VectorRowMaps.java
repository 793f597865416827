package dev.adjoint.runtime.exec.vector;

import static dev.adjoint.runtime.exec.ExpF32.C0;
import static dev.adjoint.runtime.exec.ExpF32.C1;
import static dev.adjoint.runtime.exec.ExpF32.C2;
import static dev.adjoint.runtime.exec.ExpF32.C3;
import static dev.adjoint.runtime.exec.ExpF32.C4;
import static dev.adjoint.runtime.exec.ExpF32.C5;

import dev.adjoint.runtime.exec.ExpF32;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The loops of {@link RowMaps} on the preferred vector species, with a scalar tail. Each lane does
 * the scalar operation (IEEE arithmetic, {@code Math.max}/{@code min} semantics), and {@link #exp}
 * takes {@link ExpF32#polynomial}'s steps lane by lane, fused multiply-adds included: the same bits
 * as the scalar loops.
 */
final class VectorRowMaps implements RowMaps.Impl {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();

  private static FloatVector at(float[] a, int offset) {
    return FloatVector.fromArray(SPECIES, a, offset);
  }

  @Override
  public void rows(RowMaps.Op op, float[] out, int outOffset, float[] x, int xOffset, float[] y, int yOffset,
      int length) {
    int bound = SPECIES.loopBound(length);
    int i = 0;
    // One loop per operation: the lanewise operation is then a constant the JIT compiles to one instruction.
    switch (op) {
      case ADD -> {
        for (; i < bound; i += LANES) {
          at(x, xOffset + i).add(at(y, yOffset + i)).intoArray(out, outOffset + i);
        }
      }
      case SUBTRACT -> {
        for (; i < bound; i += LANES) {
          at(x, xOffset + i).sub(at(y, yOffset + i)).intoArray(out, outOffset + i);
        }
      }
      case MULTIPLY -> {
        for (; i < bound; i += LANES) {
          at(x, xOffset + i).mul(at(y, yOffset + i)).intoArray(out, outOffset + i);
        }
      }
      case DIVIDE -> {
        for (; i < bound; i += LANES) {
          at(x, xOffset + i).div(at(y, yOffset + i)).intoArray(out, outOffset + i);
        }
      }
      case MAX -> {
        for (; i < bound; i += LANES) {
          at(x, xOffset + i).max(at(y, yOffset + i)).intoArray(out, outOffset + i);
        }
      }
      case MIN -> {
        for (; i < bound; i += LANES) {
          at(x, xOffset + i).min(at(y, yOffset + i)).intoArray(out, outOffset + i);
        }
      }
    }
    for (; i < length; i++) out[outOffset + i] = op.apply(x[xOffset + i], y[yOffset + i]);
  }

  @Override
  public void rowScalar(RowMaps.Op op, float[] out, int outOffset, float[] x, int xOffset, float y, int length) {
    FloatVector b = FloatVector.broadcast(SPECIES, y);
    int bound = SPECIES.loopBound(length);
    int i = 0;
    switch (op) {
      case ADD -> {
        for (; i < bound; i += LANES) {
          at(x, xOffset + i).add(b).intoArray(out, outOffset + i);
        }
      }
      case SUBTRACT -> {
        for (; i < bound; i += LANES) {
          at(x, xOffset + i).sub(b).intoArray(out, outOffset + i);
        }
      }
      case MULTIPLY -> {
        for (; i < bound; i += LANES) {
          at(x, xOffset + i).mul(b).intoArray(out, outOffset + i);
        }
      }
      case DIVIDE -> {
        for (; i < bound; i += LANES) {
          at(x, xOffset + i).div(b).intoArray(out, outOffset + i);
        }
      }
      case MAX -> {
        for (; i < bound; i += LANES) {
          at(x, xOffset + i).max(b).intoArray(out, outOffset + i);
        }
      }
      case MIN -> {
        for (; i < bound; i += LANES) {
          at(x, xOffset + i).min(b).intoArray(out, outOffset + i);
        }
      }
    }
    for (; i < length; i++) out[outOffset + i] = op.apply(x[xOffset + i], y);
  }

  @Override
  public void scalarRow(RowMaps.Op op, float[] out, int outOffset, float x, float[] y, int yOffset, int length) {
    FloatVector a = FloatVector.broadcast(SPECIES, x);
    int bound = SPECIES.loopBound(length);
    int i = 0;
    switch (op) {
      case ADD -> {
        for (; i < bound; i += LANES) {
          a.add(at(y, yOffset + i)).intoArray(out, outOffset + i);
        }
      }
      case SUBTRACT -> {
        for (; i < bound; i += LANES) {
          a.sub(at(y, yOffset + i)).intoArray(out, outOffset + i);
        }
      }
      case MULTIPLY -> {
        for (; i < bound; i += LANES) {
          a.mul(at(y, yOffset + i)).intoArray(out, outOffset + i);
        }
      }
      case DIVIDE -> {
        for (; i < bound; i += LANES) {
          a.div(at(y, yOffset + i)).intoArray(out, outOffset + i);
        }
      }
      case MAX -> {
        for (; i < bound; i += LANES) {
          a.max(at(y, yOffset + i)).intoArray(out, outOffset + i);
        }
      }
      case MIN -> {
        for (; i < bound; i += LANES) {
          a.min(at(y, yOffset + i)).intoArray(out, outOffset + i);
        }
      }
    }
    for (; i < length; i++) out[outOffset + i] = op.apply(x, y[yOffset + i]);
  }

  @Override
  public void negate(float[] out, int outOffset, float[] x, int xOffset, int length) {
    int bound = SPECIES.loopBound(length);
    int i = 0;
    for (; i < bound; i += LANES) at(x, xOffset + i).neg().intoArray(out, outOffset + i);
    for (; i < length; i++) out[outOffset + i] = -x[xOffset + i];
  }

  @Override
  public void exp(float[] out, int outOffset, float[] x, int xOffset, int length) {
    int i = 0;
    // Where ExpF32.exp is Math.exp's value, so is every lane: the scalar loop gives it.
    if (ExpF32.polynomialInUse()) {
      for (int bound = SPECIES.loopBound(length); i < bound; i += LANES) {
        exp(at(x, xOffset + i)).intoArray(out, outOffset + i);
      }
    }
    for (; i < length; i++) out[outOffset + i] = ExpF32.exp(x[xOffset + i]);
  }

  @Override
  public float maxOf(float initial, float[] x, int xOffset, int length) {
    FloatVector lanes = FloatVector.broadcast(SPECIES, initial);
    int i = 0;
    for (int bound = SPECIES.loopBound(length); i < bound; i += LANES) lanes = lanes.max(at(x, xOffset + i));
    float max = initial;
    for (int lane = 0; lane < LANES; lane++) max = Math.max(max, lanes.lane(lane));
    for (; i < length; i++) max = Math.max(max, x[xOffset + i]);
    return max;
  }

  @Override
  public void select(float[] out, int outOffset, RowMaps.Compare cmp, float[] x, int xOffset, float y, float[] a,
      int aOffset, float aValue, float[] b, int bOffset, float bValue, int length) {
    FloatVector threshold = FloatVector.broadcast(SPECIES, y);
    int bound = SPECIES.loopBound(length);
    int i = 0;
    // One loop per shape of the two sides, so that no vector is chosen at run time (the JIT would box it).
    if (a != null && b == null) {
      FloatVector ifFalse = FloatVector.broadcast(SPECIES, bValue);
      for (; i < bound; i += LANES) {
        blend(cmp, at(x, xOffset + i), threshold, at(a, aOffset + i), ifFalse).intoArray(out, outOffset + i);
      }
    } else if (a == null && b != null) {
      FloatVector ifTrue = FloatVector.broadcast(SPECIES, aValue);
      for (; i < bound; i += LANES) {
        blend(cmp, at(x, xOffset + i), threshold, ifTrue, at(b, bOffset + i)).intoArray(out, outOffset + i);
      }
    } else if (a != null) {
      for (; i < bound; i += LANES) {
        blend(cmp, at(x, xOffset + i), threshold, at(a, aOffset + i), at(b, bOffset + i)).intoArray(out, outOffset + i);
      }
    }
    for (; i < length; i++) {
      out[outOffset + i] = cmp.test(x[xOffset + i], y) ? (a == null ? aValue : a[aOffset + i])
          : (b == null ? bValue : b[bOffset + i]);
    }
  }

  /**
   * {@code x cmp threshold ? ifTrue : ifFalse} in every lane. Each case names its comparison as a
   * constant, which the JIT needs to compile {@code compare} to one instruction.
   */
  private static FloatVector blend(RowMaps.Compare cmp, FloatVector x, FloatVector threshold, FloatVector ifTrue,
      FloatVector ifFalse) {
    return switch (cmp) {
      case LESS -> ifFalse.blend(ifTrue, x.compare(VectorOperators.LT, threshold));
      case LESS_OR_EQUAL -> ifFalse.blend(ifTrue, x.compare(VectorOperators.LE, threshold));
      case GREATER -> ifFalse.blend(ifTrue, x.compare(VectorOperators.GT, threshold));
      case GREATER_OR_EQUAL -> ifFalse.blend(ifTrue, x.compare(VectorOperators.GE, threshold));
      case EQUAL -> ifFalse.blend(ifTrue, x.compare(VectorOperators.EQ, threshold));
      case NOT_EQUAL -> ifFalse.blend(ifTrue, x.compare(VectorOperators.NE, threshold));
    };
  }

  /**
   * {@link ExpF32#polynomial}, step for step, in every lane. One method with no calls of its own:
   * where the JIT inlines it whole, no vector is ever boxed (a call it gave up on, past its node
   * budget in a large caller, would box every vector passed to it).
   */
  static FloatVector exp(FloatVector x) {
    FloatVector clamped = x.max(ExpF32.LOWEST).min(ExpF32.HIGHEST);
    FloatVector rounder = FloatVector.broadcast(SPECIES, ExpF32.ROUNDER);
    FloatVector n = clamped.fma(FloatVector.broadcast(SPECIES, ExpF32.LOG2_E), rounder).sub(rounder);
    FloatVector minusN = n.neg();
    FloatVector r = minusN.fma(FloatVector.broadcast(SPECIES, ExpF32.LN2_HIGH), clamped);
    r = minusN.fma(FloatVector.broadcast(SPECIES, ExpF32.LN2_LOW), r);
    FloatVector p = FloatVector.broadcast(SPECIES, C5);
    p = p.fma(r, FloatVector.broadcast(SPECIES, C4));
    p = p.fma(r, FloatVector.broadcast(SPECIES, C3));
    p = p.fma(r, FloatVector.broadcast(SPECIES, C2));
    p = p.fma(r, FloatVector.broadcast(SPECIES, C1));
    p = p.fma(r, FloatVector.broadcast(SPECIES, C0));
    FloatVector er = p.mul(r).fma(r, r).add(1.0f);
    IntVector k = (IntVector) n.convert(VectorOperators.F2I, 0);
    IntVector half = k.lanewise(VectorOperators.ASHR, 1);
    // 2^half and 2^(k - half) by their bits: (e + 127) << 23.
    FloatVector low = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    FloatVector high = k.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    return er.mul(low).mul(high);
  }
}
