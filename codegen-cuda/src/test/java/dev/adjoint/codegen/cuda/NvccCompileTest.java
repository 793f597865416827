package dev.adjoint.codegen.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.autodiff.GradientException;
import dev.adjoint.compiler.kernel.KernelProgram;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every generated kernel of every example compiles with {@code nvcc} for sm_80 (A100) and sm_90
 * (H100), warnings as errors: every entry point, forward, with gradients, and in training mode.
 * Identical programs (training mode without dropout) are compiled once; two nvcc runs, one per
 * core, compile the translation units for both architectures; sources whose fat binary is already
 * under {@code target/nvcc-check} (same text) are not compiled again.
 *
 * <p>Skipped, with the reason, when nvcc is not on the PATH.
 */
class NvccCompileTest {
  static final Path EXAMPLES = Path.of("..", "examples", "src", "main", "adjoint").toAbsolutePath().normalize();
  private static final Path OUT = Path.of("target", "nvcc-check").toAbsolutePath();

  @Test
  void everyExampleCompilesForSm80AndSm90() throws IOException {
    assumeTrue(Tools.onPath("nvcc"), "nvcc is not on the PATH: the CUDA compile check needs it");
    Files.createDirectories(OUT);
    Set<String> pending = new TreeSet<>();
    int programs = 0;
    for (KernelProgram program : examplePrograms()) {
      String text = CudaGenerator.generate(program).text();
      String stem = CudaEmulator.sha256(text).substring(0, 24);
      programs++;
      if (Files.exists(OUT.resolve(stem + ".fatbin"))) continue;
      Files.writeString(OUT.resolve(stem + ".cu"), text);
      pending.add(stem + ".cu");
    }
    assertTrue(programs >= 20, "expected the examples' programs, found " + programs);
    if (pending.isEmpty()) return;
    // Two nvcc processes, one per core, each compiling half of the translation units for both architectures.
    List<List<String>> halves = List.of(new ArrayList<>(), new ArrayList<>());
    int i = 0;
    for (String cu : pending) halves.get(i++ % 2).add(cu);
    List<CompletableFuture<String>> runs = new ArrayList<>();
    for (List<String> half : halves) {
      if (half.isEmpty()) continue;
      // Unoptimised (NVVM and ptxas at -O0): every stage still runs, down to SASS for both
      // architectures, and the front end's warnings are still errors, in a third of the time (the
      // Transformer's gradient: 4.5 s instead of 13.5 s). Optimised builds are the GPU run's business.
      List<String> command = new ArrayList<>(List.of("nvcc", "--fatbin", "-Werror", "all-warnings",
          "-gencode", "arch=compute_80,code=sm_80", "-gencode", "arch=compute_90,code=sm_90",
          "-Xcicc", "-O0", "-Xptxas", "-O0", "--output-directory", OUT.toString()));
      command.addAll(half);
      runs.add(CompletableFuture.supplyAsync(() -> Tools.run(OUT, command, 540)));
    }
    for (CompletableFuture<String> run : runs) {
      try {
        run.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof Error err) throw err;
        throw e;
      }
    }
    for (String cu : pending) {
      Path fatbin = OUT.resolve(cu.replace(".cu", ".fatbin"));
      assertTrue(Files.size(fatbin) > 0, "nvcc wrote no code for " + cu);
    }
  }

  /** Every entry point of every example: forward, with gradients (where it has them), and in training mode. */
  static List<KernelProgram> examplePrograms() {
    List<KernelProgram> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".adj")).sorted().toList()) {
        Compilation c = Compilation.compile(file);
        for (String entry : c.entryPoints()) {
          for (RunOptions options : List.of(RunOptions.defaults(), RunOptions.defaults().withTraining(true))) {
            out.add(c.kernels(entry, options, false));
            try {
              out.add(c.kernels(entry, options, true));
            } catch (GradientException e) {
              // An entry with an integer result has no gradient program.
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
