package dev.adjoint.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An optimiser and its hyper-parameters, and the scalars its generated update program takes at
 * each step. The update itself is a fused kernel compiled from a graph ({@code OptimizerGraphs} in
 * the compiler), not Java code here: this class only says what to bind.
 *
 * <ul>
 *   <li><b>Adam</b> (Kingma and Ba), with L2 weight decay added to the gradient as PyTorch's
 *       {@code Adam} does; <b>AdamW</b> (Loshchilov and Hutter), with decay decoupled:
 *       {@code p -= lr·wd·p}. Defaults are the Transformer paper's β1 = 0.9, β2 = 0.98, ε = 1e-9.
 *   <li><b>SGD</b> with momentum (PyTorch's form: {@code buf = μ·buf + g; p -= lr·buf}, or Nesterov's
 *       {@code p -= lr·(g + μ·buf)}); no dampening.
 * </ul>
 *
 * @param kind which optimiser
 * @param beta1 Adam's first-moment decay, in [0, 1)
 * @param beta2 Adam's second-moment decay, in [0, 1)
 * @param eps Adam's denominator term, positive
 * @param weightDecay L2 (Adam, SGD) or decoupled (AdamW) decay, non-negative
 * @param momentum SGD's momentum, in [0, 1)
 * @param nesterov SGD with Nesterov momentum
 */
public record OptimizerSettings(Kind kind, double beta1, double beta2, double eps, double weightDecay,
    double momentum, boolean nesterov) {

  /** The optimisers, by their CLI names ({@code --optimizer adam|adamw|sgd}). */
  public enum Kind {
    SGD(List.of(UpdateArguments.MOMENTUM_BUFFER)),
    ADAM(List.of(UpdateArguments.M, UpdateArguments.V)),
    ADAMW(List.of(UpdateArguments.M, UpdateArguments.V));

    private final List<String> slots;

    Kind(List<String> slots) {
      this.slots = slots;
    }

    /** The per-param state tensors, each of the param's type, by update-argument name. */
    public List<String> slots() {
      return slots;
    }

    /** {@code sgd}, {@code adam}, {@code adamw}. */
    public String cliName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The optimiser named {@code name} ({@code adam}, {@code adamw}, {@code sgd}, any case).
     *
     * @throws IllegalArgumentException naming the choices if there is none of that name
     */
    public static Kind fromName(String name) {
      Objects.requireNonNull(name, "name");
      for (Kind k : values()) {
        if (k.cliName().equals(name.toLowerCase(Locale.ROOT))) return k;
      }
      throw new IllegalArgumentException("unknown optimizer '" + name + "'; expected adam, adamw or sgd");
    }
  }

  /** The Transformer paper's Adam hyper-parameters. */
  public static final double PAPER_BETA1 = 0.9;
  public static final double PAPER_BETA2 = 0.98;
  public static final double PAPER_EPS = 1e-9;
  /** AdamW's default decoupled weight decay (PyTorch's). */
  public static final double ADAMW_WEIGHT_DECAY = 0.01;
  /** SGD's default momentum. */
  public static final double SGD_MOMENTUM = 0.9;

  public OptimizerSettings {
    Objects.requireNonNull(kind, "kind");
    if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
    if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
    if (!(eps > 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("eps must be positive, got " + eps);
    if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
      throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
  }

  /** Adam with the paper's β1, β2, ε and no weight decay. */
  public static OptimizerSettings adam() {
    return new OptimizerSettings(Kind.ADAM, PAPER_BETA1, PAPER_BETA2, PAPER_EPS, 0, 0, false);
  }

  /** AdamW with the paper's β1, β2, ε and this decoupled weight decay. */
  public static OptimizerSettings adamw(double weightDecay) {
    return new OptimizerSettings(Kind.ADAMW, PAPER_BETA1, PAPER_BETA2, PAPER_EPS, weightDecay, 0, false);
  }

  /** SGD with this (heavy-ball) momentum and no weight decay. */
  public static OptimizerSettings sgd(double momentum) {
    return new OptimizerSettings(Kind.SGD, PAPER_BETA1, PAPER_BETA2, PAPER_EPS, 0, momentum, false);
  }

  /** The defaults for {@code --optimizer NAME}: the paper's Adam, AdamW with decay 0.01, SGD with momentum 0.9. */
  public static OptimizerSettings defaults(Kind kind) {
    return switch (kind) {
      case ADAM -> adam();
      case ADAMW -> adamw(ADAMW_WEIGHT_DECAY);
      case SGD -> sgd(SGD_MOMENTUM);
    };
  }

  public OptimizerSettings withWeightDecay(double wd) {
    return new OptimizerSettings(kind, beta1, beta2, eps, wd, momentum, nesterov);
  }

  public OptimizerSettings withNesterov(boolean on) {
    return new OptimizerSettings(kind, beta1, beta2, eps, weightDecay, momentum, on);
  }

  /** The per-param state tensors the update reads and writes, each of the param's type. */
  public List<String> slots() {
    return kind.slots();
  }

  /**
   * The scalar arguments of the update program at {@code step} (counted from 1), by
   * {@link UpdateArguments} name: for Adam and AdamW {@code lr beta1 beta2 eps weight_decay
   * bias_correction1 bias_correction2 grad_scale}, for SGD {@code lr momentum weight_decay
   * grad_scale}. Bias corrections ({@code 1 - β^step}) are computed here in f64.
   */
  public Map<String, Double> scalars(int step, double lr, double gradScale) {
    if (step < 1) throw new IllegalArgumentException("steps count from 1, got " + step);
    Map<String, Double> out = new LinkedHashMap<>();
    out.put(UpdateArguments.LR, lr);
    switch (kind) {
      case ADAM, ADAMW -> {
        out.put(UpdateArguments.BETA1, beta1);
        out.put(UpdateArguments.BETA2, beta2);
        out.put(UpdateArguments.EPS, eps);
        out.put(UpdateArguments.WEIGHT_DECAY, weightDecay);
        out.put(UpdateArguments.BIAS_CORRECTION1, 1 - Math.pow(beta1, step));
        out.put(UpdateArguments.BIAS_CORRECTION2, 1 - Math.pow(beta2, step));
      }
      case SGD -> {
        out.put(UpdateArguments.MOMENTUM, momentum);
        out.put(UpdateArguments.WEIGHT_DECAY, weightDecay);
      }
    }
    out.put(UpdateArguments.GRAD_SCALE, gradScale);
    return out;
  }
}
