package dev.adjoint.cli;

import com.palantir.javapoet.JavaFile;
import dev.adjoint.codegen.cuda.CudaGenerator;
import dev.adjoint.codegen.cuda.CudaSource;
import dev.adjoint.codegen.java.JavaGenerator;
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
    description = "Write the generated sources of every entry point (forward, and forward with gradients) to --out: "
        + "one Java class per program, in the package's folders (--target java); one CUDA C translation unit per "
        + "program, NAME.cu, in --out itself (--target cuda); or both.")
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

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (!packageName.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*")) {
      throw new UserError("--package '" + packageName + "' is not a Java package name");
    }
    Compilation c = Compilation.compile(file);
    PrintWriter stdout = spec.commandLine().getOut();
    for (String entry : c.entryPoints()) {
      write(c.kernels(entry, RunOptions.defaults(), false), stdout);
      try {
        write(c.kernels(entry, RunOptions.defaults(), true), stdout);
      } catch (dev.adjoint.compiler.autodiff.GradientException e) {
        // An entry with an integer result has no gradient program; its forward one is written.
      }
    }
    return 0;
  }

  private void write(KernelProgram program, PrintWriter stdout) {
    if (target != Target.cuda) writeJava(program, stdout);
    if (target != Target.java) writeCuda(program, stdout);
  }

  /** {@code NAME.cu}, with the stem the Java class of the same program gets. */
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

  private void writeJava(KernelProgram program, PrintWriter stdout) {
    JavaFile javaFile = JavaGenerator.generate(program, packageName, JavaGenerator.className(program));
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
