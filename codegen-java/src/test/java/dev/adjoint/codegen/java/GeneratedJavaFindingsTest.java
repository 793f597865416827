package dev.adjoint.codegen.java;

import dev.adjoint.compiler.fuzz.ProgramGenerator;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The generated-Java fuzzer's findings (docs/robustness.md), each cut down by hand to the smallest
 * program that still showed it, through {@link GeneratedJavaProgramsTest}'s check: forward and
 * gradient in f64, gradient in f32, as Java under every CPU target against the kernel interpreter.
 * The fuzzer's own inputs are replayed by GeneratedJavaFuzzTest.
 */
class GeneratedJavaFindingsTest {
  /** {@code source}'s entry {@code M.forward} with inputs drawn from a seeded normal distribution. */
  private static void check(String source, Map<String, int[]> arguments) {
    Random random = new Random(1);
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    arguments.forEach((name, shape) -> {
      double[] v = new double[ProgramGenerator.size(shape)];
      for (int i = 0; i < v.length; i++) v[i] = random.nextGaussian();
      inputs.put(name, Tensor.ofDoubles(DType.F64, shape, v));
    });
    ProgramGenerator.Generated g = new ProgramGenerator.Generated(source, "M.forward", inputs, false);
    List<GeneratedJavaProgramsTest.Case> cases = GeneratedJavaProgramsTest.lower(g, 0, false, "Finding");
    Map<GeneratedJavaProgramsTest.Case, List<JavaBackend.Prepared>> prepared = GeneratedJavaProgramsTest.compile(cases);
    for (GeneratedJavaProgramsTest.Case c : cases) GeneratedJavaProgramsTest.check(c, prepared.get(c));
  }

  /**
   * crash-8e843b01: a row nest whose dot products are computed a block at a time, and which must
   * run on one thread (it updates a local of the method: the sum of log_softmax(p0)), planned its
   * f32 sums as whole-row operations in the abandoned parallel attempt; the one-thread loop used
   * those plans without the scratch rows they were declared with, and did not compile.
   */
  @Test
  void aRowNestThatFallsBackToOneThreadDeclaresTheRowsOfItsRowSums() {
    check("""
        model M {
          param p0: f64[5] = normal(0.0, 1.0)
          param p2: f64[5, 1] = normal(0.0, 1.0)
          param p3: f64[1, 7] = normal(0.0, 1.0)
          fn forward(x0: f64[5, 7]) {
            return where(minimum(log_softmax(p2, axis=-1), reshape(log_softmax(p0, axis=-1), [5, 1])) > (x0 @ p3.T), p2, p2)
          }
        }
        """, Map.of("x0", new int[] {5, 7}));
  }
}
