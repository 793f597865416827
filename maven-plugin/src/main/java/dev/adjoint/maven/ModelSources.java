package dev.adjoint.maven;

import com.palantir.javapoet.JavaFile;
import dev.adjoint.codegen.cuda.CudaGenerator;
import dev.adjoint.codegen.java.JavaGenerator;
import dev.adjoint.codegen.java.ModelGenerator;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.autodiff.GradientException;
import dev.adjoint.compiler.kernel.KernelProgram;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The files generated from one checked program, the same that {@code adjoint compile} writes:
 * <ul>
 *   <li>{@code java}: one typed class per model (and one for the file's top-level functions), each
 *       carrying its kernels, that runs with only {@code adjoint-runtime};
 *   <li>{@code cuda}: one CUDA C translation unit per entry point and per entry point with its gradient
 *       ({@code AffineForward.cu}, {@code GradAffineForward.cu}), in the package's folder so that it is a
 *       class-path resource beside the model's class.
 * </ul>
 * The only place the plugin touches the code generators.
 */
final class ModelSources {
  private ModelSources() {}

  /** The generated files of {@code compilation}, in {@code packageName}'s folder. */
  static List<GeneratedFile> generate(Compilation compilation, String packageName, Set<CodeTarget> targets) {
    String folder = packageName.isEmpty() ? "" : packageName.replace('.', '/') + "/";
    List<GeneratedFile> out = new ArrayList<>();
    if (targets.contains(CodeTarget.JAVA)) {
      for (JavaFile file : ModelGenerator.generate(compilation, packageName, RunOptions.defaults())) {
        out.add(new GeneratedFile(GeneratedFile.Kind.JAVA, folder + file.typeSpec().name() + ".java",
            file.toString().getBytes(StandardCharsets.UTF_8)));
      }
    }
    if (targets.contains(CodeTarget.CUDA)) {
      for (String entry : compilation.entryPoints()) {
        out.add(cuda(compilation.kernels(entry, RunOptions.defaults(), false), folder));
        try {
          out.add(cuda(compilation.kernels(entry, RunOptions.defaults(), true), folder));
        } catch (GradientException e) {
          // An entry with an integer result has no gradient program; its forward one is written.
        }
      }
    }
    return List.copyOf(out);
  }

  /** {@code NAME.cu}, named as {@code adjoint compile --target cuda} names it. */
  private static GeneratedFile cuda(KernelProgram program, String folder) {
    return new GeneratedFile(GeneratedFile.Kind.CUDA, folder + JavaGenerator.className(program) + ".cu",
        CudaGenerator.generate(program).text().getBytes(StandardCharsets.UTF_8));
  }
}
