package dev.adjoint.compiler.fuzz;

import dev.adjoint.compiler.RunOptions;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The differential check on programs from seeded Randoms, for a deterministic sample apart from
 * the fuzzer's corpus ({@code -Dadjoint.generated.count=N} for more).
 */
class GeneratedProgramsTest {
  @Test
  void graphAndFusedKernelsAgreeOnSeededPrograms() {
    int count = Integer.getInteger("adjoint.generated.count", 400);
    for (int seed = 0; seed < count; seed++) {
      Random random = new Random(seed);
      ProgramGenerator.Generated g = ProgramGenerator.generate(Fuzzing.choices(random));
      try {
        Differential.differential(g, RunOptions.defaults().withSeed(seed).withTraining(g.usesDropout() && seed % 2 == 0));
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
      }
    }
  }
}
