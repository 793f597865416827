package dev.adjoint.train;

import java.util.Locale;
import java.util.Objects;

/** The learning-rate schedules of {@code adjoint train --schedule}, by name; see {@link Schedule}. */
public final class Schedules {
  private Schedules() {}

  /** The paper's {@code D^-0.5 · min(step^-0.5, step · warmup^-1.5)}. */
  public static Schedule noam(int dModel, int warmup) {
    return new Schedule.Noam(dModel, warmup, 1);
  }

  /** {@code lr} throughout, after {@code warmup} steps of linear warm-up (0 for none). */
  public static Schedule constant(double lr, int warmup) {
    return new Schedule.Constant(lr, warmup);
  }

  /** Warm-up to {@code peak}, then a half cosine to 0 at {@code totalSteps}. */
  public static Schedule cosine(double peak, int warmup, int totalSteps) {
    return new Schedule.Cosine(peak, warmup, totalSteps);
  }

  /** Warm-up to {@code peak}, then linear decay to 0 at {@code totalSteps}. */
  public static Schedule linear(double peak, int warmup, int totalSteps) {
    return new Schedule.Linear(peak, warmup, totalSteps);
  }

  /**
   * The schedule {@code --schedule name} asks for. {@code lr} is the peak rate, or for {@code noam}
   * a factor on the paper's formula (1 is the paper's); {@code dModel} is used by {@code noam} only,
   * {@code totalSteps} by {@code cosine} and {@code linear} only.
   *
   * @throws IllegalArgumentException naming the choices for an unknown name, or saying which value is bad
   */
  public static Schedule of(String name, double lr, int warmup, int totalSteps, int dModel) {
    Objects.requireNonNull(name, "name");
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "noam" -> new Schedule.Noam(dModel, warmup, lr);
      case "constant" -> new Schedule.Constant(lr, warmup);
      case "cosine" -> new Schedule.Cosine(lr, warmup, totalSteps);
      case "linear" -> new Schedule.Linear(lr, warmup, totalSteps);
      default -> throw new IllegalArgumentException(
          "unknown schedule '" + name + "'; expected noam, constant, cosine or linear");
    };
  }
}
