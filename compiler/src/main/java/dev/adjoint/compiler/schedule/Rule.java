package dev.adjoint.compiler.schedule;

import dev.adjoint.compiler.target.Target;
import java.util.Objects;

/**
 * One named schedule rule: when it applies to a kernel on a target, it decides one thing and says
 * what ({@link Outcome}); the scheduler records that as a step. Rules come in ordered lists
 * ({@link CpuRules#RULES}, {@link CudaRules#RULES}), each rule with a one-line comment.
 *
 * @param name a dotted name, as the trace prints it ({@code tile.registers})
 * @param comment one line: what the rule decides and why
 */
public record Rule<T extends Target>(String name, String comment, Apply<T> apply) {
  /** The rule's body: the outcome, or null when the rule does not apply to this kernel and schedule. */
  @FunctionalInterface
  public interface Apply<T extends Target> {
    Outcome apply(KernelFacts kernel, T target, Schedule schedule);
  }

  /** What a rule decided: the schedule after it, and one line saying what and why. */
  public record Outcome(Schedule schedule, String decision) {
    public Outcome {
      Objects.requireNonNull(schedule, "schedule");
      Objects.requireNonNull(decision, "decision");
    }
  }

  public Rule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(comment, "comment");
    Objects.requireNonNull(apply, "apply");
  }

  /** {@code schedule} after this rule: unchanged where it does not apply, else with its decision and a step. */
  public Schedule applyTo(KernelFacts kernel, T target, Schedule schedule) {
    Outcome o = apply.apply(kernel, target, schedule);
    return o == null ? schedule : o.schedule().recording(new Schedule.Step(name, o.decision()));
  }
}
