package dev.adjoint.cli;

import com.palantir.javapoet.JavaFile;
import dev.adjoint.codegen.cuda.CudaGenerator;
import dev.adjoint.codegen.cuda.CudaSource;
import dev.adjoint.codegen.java.JavaGenerator;
import dev.adjoint.codegen.java.ModelGenerator;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.runtime.io.AtomicWrites;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "compile", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Write the generated sources to --out. --target java: in the package's folders, one Java class per "
        + "model (and one for the file's top-level functions) with a typed method per entry point, valueAndGrad, and "
        + "the params; the classes need only the adjoint-runtime artifact. --target cuda: one CUDA C translation unit "
        + "per program (every entry point, forward and forward with gradients), NAME.cu, in --out itself. Or both.")
final class CompileCommand implements Callable<Integer> {
  enum Target { java, cuda, both }

  @Parameters(paramLabel = "FILE.adj", description = "The program.")
  Path file;

  @Option(names = "--target", required = true, paramLabel = "TARGET", description = "java, cuda or both.")
  Target target;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where sources go; created if missing.")
  Path out;

  @Option(names = "--package", paramLabel = "P", defaultValue = "adjoint.generated",
      description = "Java package of the generated classes (default: ${DEFAULT-VALUE}).")
  String packageName;

  @Option(names = "--dtype", paramLabel = "TYPE",
      description = "Compile every float in this type: ${COMPLETION-CANDIDATES} (default: as declared).")
  EvalCommand.Precision dtype;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (!packageName.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*")) {
      throw new UserError("--package '" + packageName + "' is not a Java package name");
    }
    Compilation c = Compilation.compile(file);
    RunOptions options = dtype == null ? RunOptions.defaults() : RunOptions.defaults().withDtype(dtype.type);
    PrintWriter stdout = spec.commandLine().getOut();
    if (target != Target.cuda) {
      for (JavaFile javaFile : ModelGenerator.generate(c, packageName, options)) writeJava(javaFile, stdout);
    }
    if (target != Target.java) {
      for (String entry : c.entryPoints()) {
        writeCuda(c.kernels(entry, options, false), stdout);
        try {
          writeCuda(c.kernels(entry, options, true), stdout);
        } catch (dev.adjoint.compiler.autodiff.GradientException e) {
          // An entry with an integer result has no gradient program; its forward one is written.
        }
      }
    }
    return 0;
  }

  /** {@code NAME.cu}, with the stem a Java class of the same program would get. */
  private void writeCuda(KernelProgram program, PrintWriter stdout) {
    CudaSource source = CudaGenerator.generate(program);
    Path target = out.resolve(JavaGenerator.className(program) + ".cu");
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new UncheckedIOException(new IOException("cannot create " + out + ": " + e.getMessage(), e));
    }
    AtomicWrites.write(target, source.text().getBytes(StandardCharsets.UTF_8));
    stdout.println(out.relativize(target));
  }

  private void writeJava(JavaFile javaFile, PrintWriter stdout) {
    Path folder = out.resolve(packageName.replace('.', '/'));
    Path target = folder.resolve(javaFile.typeSpec().name() + ".java");
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException(new IOException("cannot create " + folder + ": " + e.getMessage(), e));
    }
    AtomicWrites.write(target, javaFile.toString().getBytes(StandardCharsets.UTF_8));
    stdout.println(out.relativize(target));
  }
}
