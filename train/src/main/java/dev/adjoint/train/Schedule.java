package dev.adjoint.train;

/**
 * A learning-rate schedule: the rate of each step, counted from 1 (the first update is step 1).
 * All warm up linearly, {@code peak · step / warmup} for {@code step ≤ warmup}, except the paper's
 * {@link Noam}, whose formula has its own warm-up. {@link Schedules} makes them by CLI name.
 */
public sealed interface Schedule {
  /**
   * The learning rate of {@code step}.
   *
   * @throws IllegalArgumentException if {@code step < 1}
   */
  double lr(int step);

  /** The CLI name: {@code noam}, {@code constant}, {@code cosine}, {@code linear}. */
  String cliName();

  /**
   * The Transformer paper's schedule: {@code scale · D^-0.5 · min(step^-0.5, step · warmup^-1.5)},
   * rising linearly for {@code warmup} steps, then decaying as the inverse square root of the step.
   * {@code scale = 1} is the paper; the CLI's {@code --lr} is the scale.
   */
  record Noam(int dModel, int warmup, double scale) implements Schedule {
    public Noam {
      if (dModel < 1) throw new IllegalArgumentException("noam needs a model dimension >= 1, got " + dModel);
      if (warmup < 1) throw new IllegalArgumentException("noam needs warmup >= 1, got " + warmup);
      checkRate(scale, "scale");
    }

    @Override
    public double lr(int step) {
      checkStep(step);
      return scale * Math.pow(dModel, -0.5) * Math.min(Math.pow(step, -0.5), step * Math.pow(warmup, -1.5));
    }

    @Override
    public String cliName() {
      return "noam";
    }
  }

  /** {@code peak} after an optional linear warm-up ({@code warmup = 0}: none). */
  record Constant(double peak, int warmup) implements Schedule {
    public Constant {
      checkRate(peak, "learning rate");
      checkWarmup(warmup);
    }

    @Override
    public double lr(int step) {
      checkStep(step);
      return step < warmup ? peak * step / warmup : peak;
    }

    @Override
    public String cliName() {
      return "constant";
    }
  }

  /**
   * Linear warm-up to {@code peak}, then half a cosine down to 0 at {@code totalSteps}; 0 after.
   */
  record Cosine(double peak, int warmup, int totalSteps) implements Schedule {
    public Cosine {
      checkRate(peak, "learning rate");
      checkWarmup(warmup);
      checkTotal(warmup, totalSteps);
    }

    @Override
    public double lr(int step) {
      checkStep(step);
      if (step < warmup) return peak * step / warmup;
      return peak * 0.5 * (1 + Math.cos(Math.PI * progress(step, warmup, totalSteps)));
    }

    @Override
    public String cliName() {
      return "cosine";
    }
  }

  /** Linear warm-up to {@code peak}, then a straight line down to 0 at {@code totalSteps}; 0 after. */
  record Linear(double peak, int warmup, int totalSteps) implements Schedule {
    public Linear {
      checkRate(peak, "learning rate");
      checkWarmup(warmup);
      checkTotal(warmup, totalSteps);
    }

    @Override
    public double lr(int step) {
      checkStep(step);
      if (step < warmup) return peak * step / warmup;
      return peak * (1 - progress(step, warmup, totalSteps));
    }

    @Override
    public String cliName() {
      return "linear";
    }
  }

  /** How far {@code step} is through the decay, from 0 at the end of warm-up to 1 at the last step. */
  private static double progress(int step, int warmup, int totalSteps) {
    int span = totalSteps - warmup;
    if (span <= 0) return step >= totalSteps ? 1 : 0;
    return Math.min(1, Math.max(0, (double) (step - warmup) / span));
  }

  private static void checkStep(int step) {
    if (step < 1) throw new IllegalArgumentException("steps count from 1, got " + step);
  }

  private static void checkRate(double lr, String what) {
    if (!(lr >= 0) || Double.isInfinite(lr)) throw new IllegalArgumentException(what + " must be >= 0, got " + lr);
  }

  private static void checkWarmup(int warmup) {
    if (warmup < 0) throw new IllegalArgumentException("warmup must be >= 0, got " + warmup);
  }

  private static void checkTotal(int warmup, int totalSteps) {
    if (totalSteps < 1) throw new IllegalArgumentException("total steps must be >= 1, got " + totalSteps);
    if (warmup > totalSteps) {
      throw new IllegalArgumentException("warmup (" + warmup + ") is longer than the run (" + totalSteps + " steps)");
    }
  }
}
