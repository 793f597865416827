package dev.adjoint.codegen.java;

import dev.adjoint.compiler.Backend;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.lower.Fusion;
import dev.adjoint.runtime.Tensor;
import java.util.List;
import java.util.Map;

/** The generated-Java backend: fuse, lower, generate, compile (cached) and run on a shared pool. */
public record JavaExecution(int threads) implements Backend {
  public JavaExecution {
    if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
  }

  @Override
  public List<Tensor> execute(Graph graph, Map<String, Tensor> values, Map<String, Long> sizes, RunOptions options) {
    return JavaBackend.run(Fusion.lower(graph), values, sizes, options.seed(), 0, threads);
  }
}
