package dev.adjoint.compiler.fuzz;

import dev.adjoint.compiler.InputException;
import dev.adjoint.compiler.autodiff.GradientException;
import dev.adjoint.compiler.diag.CompileException;
import dev.adjoint.compiler.interp.EvaluationException;
import dev.adjoint.runtime.Tensor;
import java.util.Random;

/** What the fuzz targets share (no Jazzer here, so that plain tests can use it): choices, user errors, comparison. */
public final class Fuzzing {
  private Fuzzing() {}

  public static ProgramGenerator.Choices choices(Random random) {
    return new ProgramGenerator.Choices() {
      @Override
      public int below(int n) {
        return n <= 1 ? 0 : random.nextInt(n);
      }

      @Override
      public double gaussian() {
        return random.nextGaussian();
      }
    };
  }

  /**
   * Failures that are the user's, each reported by the CLI as a message (cli's Failures): a bad
   * program, bad inputs, an evaluation error, a missing gradient rule. Everything else is a finding.
   */
  static boolean isUserError(Throwable t) {
    return t instanceof CompileException || t instanceof InputException || t instanceof EvaluationException
        || t instanceof GradientException;
  }

  /** |a - e| <= atol + rtol |e| elementwise; NaN matches NaN, infinities match exactly. */
  static String difference(Tensor expected, Tensor actual, double tolerance) {
    if (!expected.shape().equals(actual.shape())) return "shape " + actual.shape() + ", expected " + expected.shape();
    if (expected.dtype() != actual.dtype()) return "dtype " + actual.dtype() + ", expected " + expected.dtype();
    for (int i = 0; i < expected.size(); i++) {
      double e = expected.getDouble(i);
      double a = actual.getDouble(i);
      boolean same = Double.isNaN(e) ? Double.isNaN(a)
          : Double.isInfinite(e) || Double.isInfinite(a) ? e == a
          : Math.abs(a - e) <= tolerance + tolerance * Math.abs(e);
      if (!same) return "element " + i + ": " + a + ", expected " + e;
    }
    return null;
  }
}
