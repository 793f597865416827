package dev.adjoint.compiler;

import dev.adjoint.runtime.Tensor;
import java.util.List;
import java.util.Map;

/** The results of running an entry point, and the params it ran with (given or initialised). */
public record Run(List<Tensor> outputs, Map<String, Tensor> params) {
  public Run {
    outputs = List.copyOf(outputs);
    params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
  }
}
