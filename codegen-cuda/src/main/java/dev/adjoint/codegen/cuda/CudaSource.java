package dev.adjoint.codegen.cuda;

import dev.adjoint.compiler.kernel.KernelProgram;
import java.util.List;
import java.util.Objects;

/**
 * A program's generated CUDA C: one translation unit ({@code text}, the prelude and every kernel,
 * compilable by NVRTC as it is) and its kernels in launch order.
 */
public record CudaSource(KernelProgram program, String text, List<CudaKernel> kernels) {
  public CudaSource {
    Objects.requireNonNull(program, "program");
    Objects.requireNonNull(text, "text");
    kernels = List.copyOf(kernels);
  }
}
