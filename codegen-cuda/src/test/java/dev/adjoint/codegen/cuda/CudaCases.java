package dev.adjoint.codegen.cuda;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.Run;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KernelInterpreter;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.pipeline.Gradient;
import dev.adjoint.compiler.pipeline.Pipeline;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.io.Npy;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The golden cases of the compiler (compiler/src/test/resources/goldens/NAME: a program, its
 * entry, sizes and inputs) lowered to kernel programs, forward or with gradients, optionally in
 * training mode: what the CUDA tests generate code for. The oracle is the kernel interpreter.
 */
final class CudaCases {
  private CudaCases() {}

  static final Path GOLDENS = Path.of("..", "compiler", "src", "test", "resources", "goldens").toAbsolutePath()
      .normalize();

  /** A lowered case: the program, the interpreter's inputs by buffer name, the sizes, seed and step. */
  record Case(String label, KernelProgram program, Map<String, DArray> values, Map<String, Long> sizes, long seed,
      int step) {
    List<DArray> interpret() {
      return KernelInterpreter.outputs(program, values, new EvalContext(sizes, seed, step));
    }

    @Override
    public String toString() {
      return label;
    }
  }

  /** Every golden case whose name starts with one of {@code prefixes}, sorted by name. */
  static List<String> names(String... prefixes) {
    try (Stream<Path> s = Files.list(GOLDENS)) {
      return s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
          .filter(n -> Stream.of(prefixes).anyMatch(n::startsWith)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether the golden case has gradients to check (integer-only entries have none). */
  static boolean hasGradients(String name) {
    Properties p = properties(GOLDENS.resolve(name));
    if (!p.getProperty("grad_skip", "").isBlank()) return false;
    try (Stream<Path> s = Files.list(GOLDENS.resolve(name))) {
      return s.anyMatch(f -> f.getFileName().toString().startsWith("grad_"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Case lower(String name, boolean gradient, Optional<DType> dtype, boolean training) {
    Path folder = GOLDENS.resolve(name);
    Properties p = properties(folder);
    String entry = p.getProperty("entry").strip();
    Map<String, Long> dims = new LinkedHashMap<>();
    for (String item : p.getProperty("dims", "").split(",")) {
      if (item.isBlank()) continue;
      String[] kv = item.split("=", -1);
      dims.put(kv[0].strip(), Long.parseLong(kv[1].strip()));
    }
    Map<String, Tensor> inputs = new HashMap<>();
    Map<String, Tensor> params = new HashMap<>();
    Tensor cotangent = null;
    try (Stream<Path> s = Files.list(folder)) {
      for (Path f : s.sorted().toList()) {
        String file = f.getFileName().toString();
        if (!file.endsWith(".npy")) continue;
        String stem = file.substring(0, file.length() - 4);
        if (stem.startsWith("input_")) inputs.put(stem.substring(6), Npy.read(f));
        else if (stem.startsWith("param_")) params.put(stem.substring(6), Npy.read(f));
        else if (stem.equals("cotangent")) cotangent = Npy.read(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long seed = training ? 7 : 0;
    int step = training ? 3 : 0;
    Compilation c = Compilation.compile(folder.resolve("program.adj"));
    RunOptions options = RunOptions.defaults().withDims(dims);
    if (dtype.isPresent()) options = options.withDtype(dtype.get());
    if (training) options = options.withTraining(true).withSeed(seed);
    Graph forward = c.graph(entry, options, Map.of()).graph();
    Map<String, Tensor> arguments = new LinkedHashMap<>();
    for (Node a : forward.arguments()) {
      String argument = Graph.paramName(a);
      Tensor t = inputs.get(argument);
      if (t == null) throw new IllegalStateException(name + ": no input " + argument);
      arguments.put(argument, t.dtype() == a.type().dtype() ? t : t.cast(a.type().dtype()));
    }
    Run run = c.run(entry, options, arguments, params);
    Map<String, Tensor> given = new HashMap<>(arguments);
    given.putAll(run.params());
    Pipeline pipeline = Pipeline.forward();
    if (gradient) {
      pipeline = Pipeline.gradient(cotangent == null ? Gradient.ofOnes() : Gradient.withCotangent());
      if (cotangent != null) given.put("cotangent", cotangent);
    }
    KernelProgram program = pipeline.kernels(forward);
    Map<String, Long> sizes = new HashMap<>(dims);
    List<Buffer> inputBuffers = new ArrayList<>(program.arguments());
    inputBuffers.addAll(program.params());
    Map<String, DArray> values = new LinkedHashMap<>();
    for (Buffer b : inputBuffers) {
      Tensor t = given.get(b.name());
      if (t == null) throw new IllegalStateException(name + ": no value for buffer " + b.name());
      for (int axis = 0; axis < b.type().rank(); axis++) {
        Dim d = b.type().shape().dim(axis);
        if (d.symbols().size() == 1 && d.equals(Dim.symbol(d.symbols().get(0)))) {
          sizes.putIfAbsent(d.symbols().get(0), (long) t.dim(axis));
        }
      }
      values.put(b.name(), DArray.of(b.type().dtype(), t.shapeArray(), t.toDoubles()));
    }
    String label = name + (gradient ? " gradient" : " forward") + dtype.map(d -> " " + d).orElse("")
        + (training ? " training" : "");
    return new Case(label, program, values, sizes, seed, step);
  }

  private static Properties properties(Path folder) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(folder.resolve("case.properties"), StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException(folder + ": cannot read case.properties", e);
    }
    return properties;
  }
}
