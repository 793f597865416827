package dev.adjoint.runtime.math;

/**
 * Special functions the JDK lacks, accurate to a few ulp in double: the interpreter's semantics and
 * the generated code call the same implementation, so the backends agree bit for bit.
 */
public final class SpecialFunctions {
  private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
  private static final double ONE_OVER_SQRT_PI = 0.5641895835477563;

  private SpecialFunctions() {}

  /**
   * The error function. Below |x| = 3 it sums the series {@code erf(x) = 2/√π · e^(-x²) ·
   * Σ 2^n x^(2n+1) / (1·3·…·(2n+1))}, whose terms are all positive, so nothing cancels; above,
   * it evaluates {@code erfc} by its continued fraction and returns {@code 1 - erfc}, which is
   * then below 2.3e-5 and so loses no relative precision in the subtraction.
   */
  public static double erf(double x) {
    if (Double.isNaN(x)) return x;
    double a = Math.abs(x);
    double r;
    if (a < 3.0) {
      double term = a;
      double sum = a;
      double x2 = a * a;
      for (int n = 1; n < 200; n++) {
        term *= 2.0 * x2 / (2 * n + 1);
        sum += term;
        if (term < sum * 1e-17) break;
      }
      r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    } else {
      r = 1.0 - erfcLarge(a);
    }
    return x < 0 ? -r : r;
  }

  /** erfc(x) for x ≥ 3 by the continued fraction evaluated with the modified Lentz method. */
  private static double erfcLarge(double x) {
    if (x > 27) return 0.0;
    // erfc(x) = e^(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
    double tiny = 1e-300;
    double f = x;
    double c = x;
    double d = 0;
    for (int n = 1; n < 500; n++) {
      double an = n * 0.5;
      d = x + an * d;
      d = d == 0 ? tiny : d;
      c = x + an / c;
      c = c == 0 ? tiny : c;
      d = 1 / d;
      double delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-17) break;
    }
    return ONE_OVER_SQRT_PI * Math.exp(-x * x) / f;
  }
}
