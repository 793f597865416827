package dev.adjoint.compiler.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.adjoint.compiler.RunOptions;

/**
 * Differential fuzzing of the back end: a generated well-typed program (see {@link
 * ProgramGenerator}) must compile, and the graph interpreter ({@code Compilation.run}, the
 * oracle) and the fused kernels under the kernel-IR interpreter ({@code Compilation.runFused})
 * must agree on its outputs and gradients, in evaluation and in training mode ({@link
 * Differential}); the generated Java meets the same programs in codegen-java's GeneratedJavaFuzzTest.
 */
public class DifferentialFuzzTest {
  @FuzzTest(maxDuration = "10m")
  void interpreterAgreesWithFusedKernels(FuzzedDataProvider data) {
    boolean training = data.consumeBoolean();
    long seed = data.consumeInt(0, 1000);
    ProgramGenerator.Generated g = ProgramGenerator.generate(choices(data));
    Differential.differential(g, RunOptions.defaults().withSeed(seed).withTraining(training && g.usesDropout()));
  }

  /**
   * Structure from the fuzzer's bytes; input values from a seeded Random, so they do not eat the
   * structure. Also codegen-java's GeneratedJavaFuzzTest's.
   */
  public static ProgramGenerator.Choices choices(FuzzedDataProvider data) {
    java.util.Random values = new java.util.Random(data.consumeLong());
    return new ProgramGenerator.Choices() {
      @Override
      public int below(int n) {
        return n <= 1 ? 0 : data.consumeInt(0, n - 1);
      }

      @Override
      public double gaussian() {
        return values.nextGaussian();
      }
    };
  }
}
