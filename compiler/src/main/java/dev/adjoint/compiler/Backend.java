package dev.adjoint.compiler;

import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.runtime.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Runs a graph — an entry point, or an entry point with its gradient — on values for its
 * arguments and params (by name), at the given run-time sizes. The reference interpreter, the
 * fused kernels in the kernel-IR interpreter, and the generated Java and CUDA code are backends.
 */
public interface Backend {
  List<Tensor> execute(Graph graph, Map<String, Tensor> values, Map<String, Long> sizes, RunOptions options);
}
