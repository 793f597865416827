package dev.adjoint.compiler.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.Run;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The numbers the word-vectors example promises in its header: with orange = (0, 3),
 * phone = (4, 0) and apple = (2, 2), cosine self-attention moves apple to (1.15, 2.43) next to
 * orange and to (2.85, 1.15) next to phone. Runs the example file itself, as declared (f32) and
 * in f64.
 */
class WordVectorsExampleTest {
  /** Relative to the compiler module, Maven's working directory for tests. */
  private static final Path EXAMPLE = Path.of("../examples/src/main/adjoint/word_vectors.adj");

  static List<Arguments> sequences() {
    return List.of(
        Arguments.of("orange_apple", "as declared", RunOptions.defaults(), 1.15, 2.43),
        Arguments.of("orange_apple", "in f64", RunOptions.defaults().withDtype(DType.F64), 1.15, 2.43),
        Arguments.of("phone_apple", "as declared", RunOptions.defaults(), 2.85, 1.15),
        Arguments.of("phone_apple", "in f64", RunOptions.defaults().withDtype(DType.F64), 2.85, 1.15));
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("sequences")
  void appleMovesTowardsItsNeighbour(String entry, String precision, RunOptions options, double x, double y) {
    Run run = Compilation.compile(EXAMPLE).run(entry, options, Map.of(), Map.of());

    assertEquals(1, run.outputs().size());
    Tensor sequence = run.outputs().get(0);
    assertEquals(List.of(2, 2), sequence.shape());
    // Row 1 is the apple, flat indices 2 and 3; compared to 2 decimals, as the example states them.
    assertEquals(x, twoDecimals(sequence.getDouble(2)), 1e-9, entry + ": apple x");
    assertEquals(y, twoDecimals(sequence.getDouble(3)), 1e-9, entry + ": apple y");
  }

  private static double twoDecimals(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
