package dev.adjoint.compiler.golden;

import dev.adjoint.runtime.Tensor;
import java.util.List;
import java.util.Optional;

/**
 * Compares a computed tensor with an expected one: the same shape, the same element type (goldens
 * run with every float in f64, so float results must be f64), and values as {@code numpy.isclose}
 * compares them, element by element,
 * {@code |actual - expected| <= atol + rtol * |expected|}. Infinities must match exactly (sign
 * included), NaN only matches NaN. A mismatch is described by the worst element: its index, both
 * values, and how far past the tolerance it is.
 */
final class TensorComparison {
  private TensorComparison() {}

  /** Empty when close; otherwise a description of what differs. */
  static Optional<String> compare(Tensor expected, Tensor actual, double rtol, double atol) {
    if (!expected.shape().equals(actual.shape())) {
      return Optional.of("shape " + actual.shape() + ", expected " + expected.shape());
    }
    if (expected.dtype() != actual.dtype()) {
      return Optional.of("element type " + actual.dtype() + ", expected " + expected.dtype());
    }
    int worst = -1;
    double worstExcess = 0;
    int mismatches = 0;
    for (int i = 0; i < expected.size(); i++) {
      double e = expected.getDouble(i);
      double a = actual.getDouble(i);
      double excess = excess(e, a, rtol, atol);
      if (excess > 1) {
        mismatches++;
        if (worst < 0 || excess > worstExcess) {
          worst = i;
          worstExcess = excess;
        }
      }
    }
    if (worst < 0) {
      return Optional.empty();
    }
    double e = expected.getDouble(worst);
    double a = actual.getDouble(worst);
    return Optional.of(String.format(
        "%d of %d elements differ (rtol=%s, atol=%s); worst at index %s: actual %s, expected %s"
            + " (abs diff %s, %s the tolerance)",
        mismatches, expected.size(), rtol, atol, multiIndex(expected.shape(), worst), exact(a), exact(e),
        exact(Math.abs(a - e)), Double.isInfinite(worstExcess) ? "infinitely past" : String.format("%.3g x", worstExcess)));
  }

  /** |a - e| in units of the allowed difference: <= 1 is close. */
  static double excess(double expected, double actual, double rtol, double atol) {
    if (Double.isNaN(expected) || Double.isNaN(actual)) {
      return Double.isNaN(expected) && Double.isNaN(actual) ? 0 : Double.POSITIVE_INFINITY;
    }
    if (Double.isInfinite(expected) || Double.isInfinite(actual)) {
      return expected == actual ? 0 : Double.POSITIVE_INFINITY;
    }
    double diff = Math.abs(actual - expected);
    double allowed = atol + rtol * Math.abs(expected);
    if (diff == 0) {
      return 0;
    }
    return allowed == 0 ? Double.POSITIVE_INFINITY : diff / allowed;
  }

  /** The C-order multi-index of a flat index, as {@code [1, 0, 2]}; {@code []} for a scalar. */
  static String multiIndex(List<Integer> shape, int flat) {
    int[] index = new int[shape.size()];
    for (int axis = shape.size() - 1; axis >= 0; axis--) {
      index[axis] = flat % shape.get(axis);
      flat /= shape.get(axis);
    }
    return java.util.Arrays.toString(index);
  }

  /** Enough digits to tell two doubles apart. */
  private static String exact(double v) {
    return Double.toString(v);
  }
}
