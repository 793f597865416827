package dev.adjoint.compiler;

import dev.adjoint.runtime.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An entry's outputs with the gradients of every param (by full name) and floating-point input
 * (by argument name), and the params it ran with.
 */
public record GradientRun(List<Tensor> outputs, Map<String, Tensor> gradients, Map<String, Tensor> params) {
  public GradientRun {
    outputs = List.copyOf(outputs);
    gradients = Collections.unmodifiableMap(new LinkedHashMap<>(gradients));
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }
}
