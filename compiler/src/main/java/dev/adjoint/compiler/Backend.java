package dev.adjoint.compiler;

import dev.adjoint.compiler.pipeline.Artifacts;
import dev.adjoint.runtime.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Runs a program — an entry point, or an entry point with its gradient — on values for its
 * arguments and params (by name), at the given run-time sizes. The reference interpreter, the
 * fused kernels in the kernel-IR interpreter, and the generated Java and CUDA code are backends.
 */
public interface Backend {
  /**
   * Runs {@code program}, elaborated (and perhaps further along its pipeline): a backend runs
   * the stages it needs with {@link Artifacts#through} or {@link Artifacts#emit}, so that each
   * stage runs once.
   */
  List<Tensor> execute(Artifacts program, Map<String, Tensor> values, Map<String, Long> sizes, RunOptions options);
}
