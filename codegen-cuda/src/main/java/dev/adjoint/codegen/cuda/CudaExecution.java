package dev.adjoint.codegen.cuda;

import dev.adjoint.compiler.Backend;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.pipeline.Artifacts;
import dev.adjoint.compiler.pipeline.Stage;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.cuda.CudaCompiler;
import java.util.List;
import java.util.Map;

/** The CUDA backend: fuse, lower, generate CUDA C, compile (cached) and run on the machine's GPU. */
public record CudaExecution() implements Backend {
  @Override
  public List<Tensor> execute(Artifacts program, Map<String, Tensor> values, Map<String, Long> sizes, RunOptions options) {
    var driver = CudaBackend.driver();
    Artifacts scheduled = program.through(Stage.SCHEDULE);
    var prepared = scheduled.emit(p -> CudaBackend.compile(p.kernels(), driver,
        CudaCompiler.create(CudaCompiler.defaultCacheDirectory())));
    return prepared.run(values, CudaBackend.bindSizes(scheduled.kernels(), values, sizes), options.seed(), 0);
  }
}
