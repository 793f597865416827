package dev.adjoint.compiler.frontend.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole files against their AST dumps: {@code parse/golden/NAME.adj} must print as {@code
 * NAME.ast}. {@code attention.adj} is the program of LANGUAGE.md §1; {@code everything.adj}
 * holds every construct once. After a deliberate change to the printer or the AST, rewrite the
 * goldens with {@code -Dadjoint.updateGoldens=true} and review the diff.
 */
class ParseGoldenTest {
  private static final Path GOLDEN = Path.of("src/test/resources/parse/golden");

  static Stream<String> goldens() throws IOException {
    try (Stream<Path> files = Files.list(GOLDEN)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".adj"))
          .map(n -> n.substring(0, n.length() - ".adj".length())).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("goldens")
  void printsAsGolden(String name) throws IOException {
    String source = Files.readString(GOLDEN.resolve(name + ".adj"), StandardCharsets.UTF_8);
    String actual = ParseTesting.dump(source);
    Path golden = GOLDEN.resolve(name + ".ast");
    if (Boolean.getBoolean("adjoint.updateGoldens")) {
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
    }
    assertEquals(Files.readString(golden, StandardCharsets.UTF_8), actual);
  }
}
