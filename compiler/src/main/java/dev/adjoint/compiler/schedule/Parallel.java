package dev.adjoint.compiler.schedule;

import java.util.List;
import java.util.Objects;

/**
 * How a kernel's work splits across threads (CPU) or blocks (CUDA).
 *
 * @param axes the loop variables split, outermost first (empty: the calling thread runs it all)
 * @param workers threads (CPU cores) or blocks resident at once (CUDA)
 * @param split how the iterations are dealt out
 */
public record Parallel(List<String> axes, int workers, String split) {
  public Parallel {
    axes = List.copyOf(axes);
    Objects.requireNonNull(split, "split");
    if (workers < 1) throw new IllegalArgumentException("workers must be positive: " + workers);
  }

  /** The calling thread alone. */
  public static Parallel none() {
    return new Parallel(List.of(), 1, "one thread");
  }

  @Override
  public String toString() {
    return (axes.isEmpty() ? "" : String.join(", ", axes) + ": ") + split + (workers > 1 ? " (" + workers + ")" : "");
  }
}
