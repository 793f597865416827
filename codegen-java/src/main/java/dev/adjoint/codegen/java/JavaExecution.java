package dev.adjoint.codegen.java;

import dev.adjoint.compiler.Backend;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.pipeline.Artifacts;
import dev.adjoint.runtime.Tensor;
import java.util.List;
import java.util.Map;

/**
 * The generated-Java backend: fuse, lower, generate, compile (cached) and run on a shared pool;
 * with {@code checkNumerics}, every kernel's floating-point results are checked as it returns and
 * the first NaN or infinity stops the run ({@link dev.adjoint.runtime.exec.NonFiniteValueException}).
 */
public record JavaExecution(int threads, boolean checkNumerics) implements Backend {
  public JavaExecution {
    if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
  }

  /** Without numerics checks. */
  public JavaExecution(int threads) {
    this(threads, false);
  }

  @Override
  public List<Tensor> execute(Artifacts program, Map<String, Tensor> values, Map<String, Long> sizes, RunOptions options) {
    return program.emit(p -> JavaBackend.compile(p.kernels(), JavaBackend.compiler(), checkNumerics))
        .run(values, sizes, options.seed(), 0, threads);
  }
}
