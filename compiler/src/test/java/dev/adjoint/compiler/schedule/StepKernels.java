package dev.adjoint.compiler.schedule;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.runtime.DType;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/** The small encoder layer's training step (forward and backward) as kernels: what the rule tests schedule. */
final class StepKernels {
  static final Path SMALL_ENCODER = Path.of("../examples/src/main/adjoint/encoder_layer_small.adj");
  private static KernelProgram f32;

  private StepKernels() {}

  static synchronized KernelProgram step() {
    if (f32 == null) f32 = Compilation.compile(SMALL_ENCODER).kernels("EncoderSmall.loss",
        RunOptions.defaults().withTraining(true), true);
    return f32;
  }

  static KernelProgram stepAt(DType dtype) {
    return Compilation.compile(SMALL_ENCODER).kernels("EncoderSmall.loss",
        RunOptions.defaults().withTraining(true).withDtype(dtype), true);
  }

  /** The facts of the first kernel of the step that {@code which} accepts. */
  static KernelFacts first(Predicate<KernelFacts> which) {
    return all().stream().filter(which).findFirst().orElseThrow();
  }

  static List<KernelFacts> all() {
    return step().kernels().stream().map(KernelFacts::of).toList();
  }

  static Kernel kernel(String name) {
    return step().kernels().stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow();
  }
}
