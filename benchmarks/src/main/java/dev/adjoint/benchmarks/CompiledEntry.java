package dev.adjoint.benchmarks;

import dev.adjoint.codegen.java.JavaBackend;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.runtime.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One entry point of a program on the class path, compiled to generated Java with random inputs
 * drawn at fixed sizes: what {@code adjoint bench} times, held between benchmark invocations.
 */
final class CompiledEntry {
  private final JavaBackend.Prepared compiled;
  private final Map<String, Tensor> values;
  private final Map<String, Long> sizes;
  private final int threads;

  private CompiledEntry(JavaBackend.Prepared compiled, Map<String, Tensor> values, Map<String, Long> sizes,
      int threads) {
    this.compiled = compiled;
    this.values = values;
    this.sizes = sizes;
    this.threads = threads;
  }

  /**
   * Compiles {@code entry} of the program {@code /adjoint/<program>} (forward and backward when
   * {@code gradient}, dropout active when {@code training}) at {@code sizes}, for {@code threads}.
   */
  static CompiledEntry of(String program, String entry, Map<String, Long> sizes, boolean gradient, boolean training,
      int threads) {
    Compilation c = Compilation.compileSource(program, resource(program));
    RunOptions options = RunOptions.defaults().withTraining(training).withDims(sizes);
    Graph graph = c.graph(entry, options, Map.of()).graph();
    SplittableRandom random = new SplittableRandom(1);
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    for (Node a : graph.arguments()) {
      int[] shape = a.type().shape().evaluate(sizes);
      double[] data = new double[Arrays.stream(shape).reduce(1, (x, y) -> x * y)];
      for (int i = 0; i < data.length; i++) data[i] = random.nextDouble(-1, 1);
      inputs.put(Graph.paramName(a), Tensor.ofDoubles(a.type().dtype(), shape, data));
    }
    Compilation.Execution run = c.execution(entry, options, inputs, Map.of(), gradient);
    JavaBackend.Prepared compiled = run.program().emit(JavaBackend::compile);
    return new CompiledEntry(compiled, run.values(), run.sizes(), threads);
  }

  /** One run of the generated code; its outputs, so that JMH can consume them. */
  List<Tensor> run() {
    return compiled.run(values, sizes, 0, 0, threads);
  }

  private static String resource(String program) {
    try (InputStream in = CompiledEntry.class.getResourceAsStream("/adjoint/" + program)) {
      if (in == null) throw new IllegalArgumentException("no program /adjoint/" + program + " on the class path");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
