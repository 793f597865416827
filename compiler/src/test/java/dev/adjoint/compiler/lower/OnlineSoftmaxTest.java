package dev.adjoint.compiler.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.Run;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.kernel.KernelPrinter;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Attention as one pass over the keys with a running maximum and sum — also with dropout on the
 * probabilities, whose mask must be the graph's, element for element.
 */
class OnlineSoftmaxTest {
  private static final String SOURCE = """
      dim B, T
      fn main(q: f64[B, T, 16], k: f64[B, T, 16], v: f64[B, T, 16]) -> f64[B, T, 16] =
        dropout(softmax(q @ k.T / 4.0 + causal_mask(T, dtype=f64)), 0.25) @ v
      """;

  @ParameterizedTest(name = "training {0}")
  @ValueSource(booleans = {false, true})
  void oneKernelOnePassSameResult(boolean training) {
    Compilation c = Compilation.compileSource("attention.adj", SOURCE);
    RunOptions options = RunOptions.defaults().withTraining(training).withSeed(3);
    KernelProgram program = c.kernels("main", options, false);
    assertEquals(1, program.kernels().size(), KernelPrinter.print(program));
    String text = KernelPrinter.print(program);
    assertTrue(text.contains("var max"), "a running maximum:\n" + text);
    assertEquals(training, text.contains("random("), "dropout draws in the kernel:\n" + text);
    Random random = new Random(5);
    Map<String, Tensor> inputs = Map.of("q", normal(random), "k", normal(random), "v", normal(random));
    Run graph = c.run("main", options, inputs, Map.of());
    Run fused = c.runFused("main", options, inputs, Map.of());
    double[] a = graph.outputs().get(0).toDoubles();
    double[] b = fused.outputs().get(0).toDoubles();
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i], 1e-12 * Math.max(1, Math.abs(a[i])), "element " + i);
    }
  }

  private static Tensor normal(Random random) {
    double[] v = new double[2 * 9 * 16];
    for (int i = 0; i < v.length; i++) v[i] = random.nextGaussian();
    return Tensor.ofDoubles(DType.F64, new int[] {2, 9, 16}, v);
  }
}
