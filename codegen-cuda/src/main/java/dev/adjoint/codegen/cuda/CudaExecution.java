package dev.adjoint.codegen.cuda;

import dev.adjoint.compiler.Backend;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.lower.Fusion;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.cuda.CudaCompiler;
import java.util.List;
import java.util.Map;

/** The CUDA backend: fuse, lower, generate CUDA C, compile (cached) and run on the machine's GPU. */
public record CudaExecution() implements Backend {
  @Override
  public List<Tensor> execute(Graph graph, Map<String, Tensor> values, Map<String, Long> sizes, RunOptions options) {
    var program = Fusion.lower(graph);
    var driver = CudaBackend.driver();
    var prepared = CudaBackend.compile(program, driver, CudaCompiler.create(CudaCompiler.defaultCacheDirectory()));
    return prepared.run(values, CudaBackend.bindSizes(program, values, sizes), options.seed(), 0);
  }
}
