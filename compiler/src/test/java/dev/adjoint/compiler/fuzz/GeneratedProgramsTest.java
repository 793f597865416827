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

  /**
   * The same at symbolic sizes ({@link ProgramGenerator#SYMBOLIC}: types that name B, T and S,
   * bound when the program runs), so the kernels meet sizes they learn at run time.
   */
  @Test
  void graphAndFusedKernelsAgreeOnSymbolicPrograms() {
    int count = Integer.getInteger("adjoint.generated.symbolic.count", 100);
    for (int seed = 0; seed < count; seed++) {
      ProgramGenerator.Generated g = ProgramGenerator.generate(Fuzzing.choices(new Random(seed)),
          ProgramGenerator.SYMBOLIC, ProgramGenerator.RAGGED_MAX_ELEMENTS);
      try {
        Differential.differential(g, RunOptions.defaults().withSeed(seed).withDims(g.dims())
            .withTraining(g.usesDropout() && seed % 2 == 0));
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("symbolic seed " + seed + ": " + e.getMessage(), e);
      }
    }
  }
}
