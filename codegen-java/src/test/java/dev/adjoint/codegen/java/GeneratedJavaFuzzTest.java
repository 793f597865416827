package dev.adjoint.codegen.java;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.adjoint.compiler.fuzz.DifferentialFuzzTest;
import dev.adjoint.compiler.fuzz.ProgramGenerator;
import java.util.List;
import java.util.Map;

/**
 * The differential fuzzer's check carried on to the shipping code: a generated program (compiler's
 * {@link ProgramGenerator}, structure from the fuzzer's bytes, at ragged sizes) lowered forward and
 * gradient, generated as Java under each CPU target's schedule, compiled and run must give the
 * kernel interpreter's bits (f32 with fused multiply-adds: {@link
 * GeneratedJavaProgramsTest#f32Difference}), the same under every target ({@link
 * GeneratedJavaProgramsTest#check}). The graph interpreter = kernel interpreter half is
 * compiler's DifferentialFuzzTest. Each input costs a javac run (about a second), so the regression
 * inputs are a handful.
 */
class GeneratedJavaFuzzTest {
  @FuzzTest(maxDuration = "10m")
  void generatedJavaAgreesWithTheKernelInterpreter(FuzzedDataProvider data) {
    check(data, ProgramGenerator.RAGGED);
  }

  /**
   * The same at symbolic sizes ({@link ProgramGenerator#SYMBOLIC}): the classes learn B, T and S
   * (7, 13, 37) only when they run. A target of its own, so that the other's inputs keep decoding
   * to the programs they were found as.
   */
  @FuzzTest(maxDuration = "10m")
  void generatedJavaAgreesAtRunTimeSizes(FuzzedDataProvider data) {
    check(data, ProgramGenerator.SYMBOLIC);
  }

  private static void check(FuzzedDataProvider data, int[] sizes) {
    boolean training = data.consumeBoolean();
    long seed = data.consumeInt(0, 1000);
    ProgramGenerator.Generated g = ProgramGenerator.generate(DifferentialFuzzTest.choices(data), sizes,
        ProgramGenerator.RAGGED_MAX_ELEMENTS);
    List<GeneratedJavaProgramsTest.Case> cases = GeneratedJavaProgramsTest.lower(g, seed, training && g.usesDropout(),
        "Fuzzed");
    Map<GeneratedJavaProgramsTest.Case, List<JavaBackend.Prepared>> prepared = GeneratedJavaProgramsTest.compile(cases);
    for (GeneratedJavaProgramsTest.Case c : cases) GeneratedJavaProgramsTest.check(c, prepared.get(c));
  }
}
