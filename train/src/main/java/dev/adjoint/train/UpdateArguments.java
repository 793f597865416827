package dev.adjoint.train;

/**
 * The argument names of the generated parameter-update programs ({@code OptimizerGraphs} in the
 * compiler builds them, the training loop binds them): one place, so the two cannot drift apart.
 * Tensor arguments have the param's type; scalar arguments are rank 0 of the param's element type.
 */
public final class UpdateArguments {
  /** The param's current value. */
  public static final String PARAM = "param";
  /** The param's gradient, before {@link #GRAD_SCALE} is applied. */
  public static final String GRAD = "grad";
  /** Adam's first-moment estimate. */
  public static final String M = "m";
  /** Adam's second-moment estimate. */
  public static final String V = "v";
  /** SGD's momentum buffer. */
  public static final String MOMENTUM_BUFFER = "momentum_buffer";

  /** The learning rate of this step (after the schedule). */
  public static final String LR = "lr";
  public static final String BETA1 = "beta1";
  public static final String BETA2 = "beta2";
  public static final String EPS = "eps";
  public static final String WEIGHT_DECAY = "weight_decay";
  /** {@code 1 - beta1^step}, computed by the host in f64. */
  public static final String BIAS_CORRECTION1 = "bias_correction1";
  /** {@code 1 - beta2^step}, computed by the host in f64. */
  public static final String BIAS_CORRECTION2 = "bias_correction2";
  /** SGD's momentum coefficient. */
  public static final String MOMENTUM = "momentum";
  /**
   * A factor every gradient is multiplied by before use: the clipping factor
   * {@link GradientClipping#scale}, 1 when not clipping.
   */
  public static final String GRAD_SCALE = "grad_scale";

  /** The global-norm program's output: the L2 norm over all its gradient arguments. */
  public static final String GLOBAL_NORM = "global_norm";

  private UpdateArguments() {}

  /** The name of gradient {@code i} of the global-norm program: {@code grad_0}, {@code grad_1}, …. */
  public static String gradient(int i) {
    if (i < 0) throw new IllegalArgumentException("gradient index must be non-negative, got " + i);
    return GRAD + "_" + i;
  }
}
