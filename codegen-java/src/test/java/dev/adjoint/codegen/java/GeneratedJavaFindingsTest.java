package dev.adjoint.codegen.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.fuzz.ProgramGenerator;
import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  /**
   * crash-da343e14: element 283 of the f32 gradient of x4 (a log_softmax gradient summed back through
   * a product) was 2.8e-4 relative from the interpreter. Not a bug: without fused multiply-adds the
   * Java gives the interpreter's bits, and with them it is nearer the f64 result (1.8e-4) than the
   * interpreter (4.5e-4). The f32 check allows a few times the interpreter's own rounding error on
   * the output ({@link GeneratedJavaProgramsTest#f32Difference}), and no more.
   */
  @Test
  void anIllConditionedElementMayDifferByTheInterpretersOwnRoundingError() {
    DArray interpreter = DArray.of(DType.F32, new int[] {1}, new double[] {-0.17616653442382812});
    Tensor generated = Tensor.ofDoubles(DType.F32, new int[] {1}, new double[] {-0.17621521651744843});
    DArray f64 = DArray.of(DType.F64, new int[] {1}, new double[] {-0.176246531});
    assertEquals(Optional.empty(), GeneratedJavaProgramsTest.f32Difference(interpreter, f64, generated));
    // The same difference where f32 rounding does not move the interpreter (a well-conditioned element) fails.
    assertTrue(GeneratedJavaProgramsTest.f32Difference(interpreter, interpreter, generated).isPresent());
    // An ill-conditioned element still fails past four times the interpreter's error (6.8e-5 relative here).
    Tensor wrong = Tensor.ofDoubles(DType.F32, new int[] {1}, new double[] {-0.1772});
    assertTrue(GeneratedJavaProgramsTest.f32Difference(interpreter, f64, wrong).isPresent());
  }
}
