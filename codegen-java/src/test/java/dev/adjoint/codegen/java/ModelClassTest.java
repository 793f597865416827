package dev.adjoint.codegen.java;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.codegen.java.ModelClasses.Compiled;
import dev.adjoint.compiler.GradientRun;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every entry point of the examples' generated model classes, and its gradient, against the
 * reference interpreter on seeded random inputs: f64 within 1e-12, f32 within 1e-5 (relative), with
 * params initialised by the class from the same seed the interpreter's initialisers use.
 */
class ModelClassTest {
  private static final long SEED = 5;
  /** Sizes of the run: small, but more than one of everything. */
  private static final Map<String, Integer> SIZES = Map.of("B", 2, "S", 5, "T", 3);

  static Stream<Arguments> entries() {
    List<Arguments> out = new ArrayList<>();
    for (Compiled c : ModelClasses.ALL) {
      String prefix = c.type().getSimpleName().equals(baseName(c.file())) ? "" : c.type().getSimpleName() + ".";
      for (String entry : c.compilation().entryPoints()) {
        if (entry.startsWith(prefix) && (prefix.isEmpty() != entry.contains("."))) {
          for (int seed = 0; seed < 2; seed++) out.add(Arguments.of(c.label() + " " + entry + " #" + seed, c, entry, seed));
        }
      }
    }
    return out.stream();
  }

  private static String baseName(String file) {
    String base = file.substring(0, file.length() - ".adj".length());
    return JavaNames.typeIdentifier(base, "Model");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("entries")
  void entryAndGradientEqualTheInterpreter(String label, Compiled c, String entry, int inputSeed) {
    RunOptions options = c.options(SEED);
    Graph graph = c.compilation().graph(entry, options, Map.of()).graph();
    Map<String, Tensor> inputs = randomInputs(graph, new SplittableRandom(inputSeed));
    Object model = c.newInstance(SEED);
    String function = entry.substring(entry.indexOf('.') + 1);
    Object[] args = graph.arguments().stream().map(a -> inputs.get(Graph.paramName(a))).toArray();
    double tolerance = c.dtype().equals(Optional.of(DType.F64)) ? 1e-12 : 1e-5;

    List<Tensor> expected = c.compilation().run(entry, options, inputs, Map.of()).outputs();
    Object result = ModelCalls.call(model, JavaNames.identifier(function, "entry"), args);
    List<Tensor> actual = expected.size() == 1 ? List.of((Tensor) result) : castList(result);
    for (int i = 0; i < expected.size(); i++) {
      ModelCalls.assertClose("result " + i, expected.get(i), actual.get(i), tolerance);
    }

    Optional<String> method = gradientMethod(c, function, graph);
    if (method.isEmpty()) return;
    GradientRun want = c.compilation().gradient(entry, options, inputs, Map.of(), Optional.empty());
    Object got = ModelCalls.call(model, method.get(), args);
    Object value = ModelCalls.call(got, expected.size() == 1 ? "value" : "values");
    List<Tensor> values = expected.size() == 1 ? List.of((Tensor) value) : castList(value);
    for (int i = 0; i < expected.size(); i++) {
      ModelCalls.assertClose("value " + i, want.outputs().get(i), values.get(i), tolerance);
    }
    Map<String, Tensor> gradients = ModelCalls.gradients(got);
    assertEquals(List.copyOf(want.gradients().keySet()), List.copyOf(gradients.keySet()));
    for (var g : want.gradients().entrySet()) {
      ModelCalls.assertClose("gradient of " + g.getKey(), g.getValue(), gradients.get(g.getKey()), tolerance);
    }
  }

  /**
   * The method of an entry's gradient: {@code valueAndGrad} for the model's objective ({@code loss},
   * else {@code forward}, else the only function), {@code <fn>ValueAndGrad} for any other entry
   * with a scalar result, none for the rest.
   */
  static Optional<String> gradientMethod(Compiled c, String function, Graph graph) {
    if (!graph.outputs().stream().allMatch(o -> o.type().dtype().isFloating())) return Optional.empty();
    boolean model = !c.type().getSimpleName().equals(baseName(c.file()));
    List<String> functions = c.compilation().entryPoints().stream().filter(e -> e.contains(".") == model)
        .map(e -> e.substring(e.indexOf('.') + 1)).toList();
    String objective = functions.contains("loss") ? "loss" : functions.contains("forward") ? "forward"
        : functions.size() == 1 ? functions.get(0) : null;
    if (function.equals(objective)) return Optional.of("valueAndGrad");
    boolean scalar = graph.outputs().size() == 1 && graph.outputs().get(0).type().rank() == 0;
    return scalar ? Optional.of(JavaNames.identifier(function, "entry") + "ValueAndGrad") : Optional.empty();
  }

  @SuppressWarnings("unchecked")
  private static List<Tensor> castList(Object list) {
    return (List<Tensor>) list;
  }

  /** Floats from a normal distribution; ids in range, with some labels -1 (ignored), for i32 arguments. */
  static Map<String, Tensor> randomInputs(Graph graph, SplittableRandom random) {
    Map<String, Long> sizes = new LinkedHashMap<>();
    SIZES.forEach((k, v) -> sizes.put(k, (long) v));
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Node a : graph.arguments()) {
      int[] shape = a.type().shape().evaluate(sizes);
      int n = java.util.Arrays.stream(shape).reduce(1, (x, y) -> x * y);
      double[] values = new double[n];
      String name = Graph.paramName(a);
      for (int i = 0; i < n; i++) {
        values[i] = a.type().dtype().isFloating() ? random.nextGaussian()
            : name.equals("tgt_out") && random.nextInt(5) == 0 ? -1 : random.nextInt(16);
      }
      out.put(name, Tensor.ofDoubles(a.type().dtype(), shape, values));
    }
    return out;
  }
}
