package dev.adjoint.compiler.interp;

import java.util.Map;
import java.util.Objects;

/**
 * What evaluating a graph needs beyond its nodes: the run-time sizes, and the key of the random
 * stream (seed and step; each random node adds its own call-site id).
 */
public record EvalContext(Map<String, Long> sizes, long seed, int step) {
  public EvalContext {
    sizes = Map.copyOf(Objects.requireNonNull(sizes, "sizes"));
  }
}
