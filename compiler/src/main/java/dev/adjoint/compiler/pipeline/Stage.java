package dev.adjoint.compiler.pipeline;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The stages of the {@link Pipeline}, in the order they run. Each is a pure function from the
 * previous stage's output to its own, which {@link Artifacts#print(Stage)} prints.
 */
public enum Stage {
  /** The entry point's graph, checked and with its types inferred: graph IR. */
  ELABORATE("elaborate", "the entry's graph"),
  /** Reverse mode: the forward outputs, then the gradients (the graph unchanged without a gradient). */
  GRAD("grad", "forward and backward, as derived"),
  /** Constant folding, algebraic rules, CSE and DCE, to a fixed point. */
  SIMPLIFY("simplify", "the graph after simplification"),
  /** The graph partitioned into groups that become kernels. */
  FUSE("fuse", "the groups that become kernels"),
  /** Each group lowered to a kernel: kernel IR. */
  LOWER("lower", "the kernel IR"),
  /** Which intermediate buffers share storage, at the pipeline's sizes. */
  PLAN_MEMORY("memory", "the memory plan"),
  /** How each kernel runs on its target (for now the kernels pass through unchanged). */
  SCHEDULE("schedule", "the scheduled kernels"),
  /** A backend's code for the scheduled kernels (printed by the backends, not the compiler). */
  EMIT("emit", "the generated code");

  private final String id;
  private final String description;

  Stage(String id, String description) {
    this.id = id;
    this.description = description;
  }

  /** The stage's name as the command line and printed text spell it: {@code elaborate}, {@code memory}, … */
  public String id() {
    return id;
  }

  public String description() {
    return description;
  }

  /** Whether this stage's output is a graph (elaborate, grad, simplify). */
  public boolean isGraph() {
    return compareTo(SIMPLIFY) <= 0;
  }

  /** The stage named {@code id}; the message lists the names when there is none. */
  public static Stage of(String id) {
    for (Stage s : values()) if (s.id.equals(id.toLowerCase(Locale.ROOT))) return s;
    throw new IllegalArgumentException("no stage '" + id + "'; the stages are "
        + Arrays.stream(values()).map(Stage::id).collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return id;
  }
}
