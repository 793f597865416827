package dev.adjoint.train;

/**
 * Clipping by global norm, as PyTorch's {@code clip_grad_norm_}: when the L2 norm of all gradients
 * together exceeds {@code maxNorm}, every gradient is scaled by {@code maxNorm / (norm + 1e-6)}.
 * The factor is passed to the update kernels as {@link UpdateArguments#GRAD_SCALE}, so clipping
 * costs no extra pass over the gradients.
 */
public final class GradientClipping {
  /** Added to the norm as PyTorch does, so a zero norm does not divide by zero. */
  public static final double EPSILON = 1e-6;

  private GradientClipping() {}

  /**
   * The factor to scale gradients by: {@code min(1, maxNorm / (norm + 1e-6))}, or 1 when
   * {@code maxNorm} is 0 or infinite (clipping off). A non-finite norm gives NaN (or 0 for an
   * infinite norm), as PyTorch does; the loop should stop on a non-finite loss before that.
   *
   * @throws IllegalArgumentException if {@code maxNorm} is negative or NaN
   */
  public static double scale(double norm, double maxNorm) {
    if (!(maxNorm >= 0)) throw new IllegalArgumentException("clip norm must be >= 0, got " + maxNorm);
    if (maxNorm == 0 || maxNorm == Double.POSITIVE_INFINITY) return 1;
    double factor = maxNorm / (norm + EPSILON);
    return Double.isNaN(factor) ? Double.NaN : Math.min(1, factor);
  }
}
