package dev.adjoint.compiler.frontend.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.diag.CompileException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad programs against their diagnostics: {@code bad/NAME.adj} must fail to compile with exactly
 * the text of {@code bad/NAME.expected} (LANGUAGE.md §7: {@code file:line:col: error: message},
 * the source line, a caret line; every error, in source order). Files under {@code bad/lib/} are
 * only imported by others. After a deliberate change to a message, rewrite the goldens with
 * {@code -Dadjoint.updateGoldens=true} and review the diff.
 */
class BadProgramsTest {
  private static final Path RESOURCES = Path.of("src/test/resources");
  private static final Path BAD = RESOURCES.resolve("bad");

  static List<String> programs() throws IOException {
    try (Stream<Path> files = Files.list(BAD)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".adj"))
          .map(n -> n.substring(0, n.length() - ".adj".length())).sorted().toList();
    }
  }

  @ParameterizedTest
  @MethodSource("programs")
  void reportsExactlyTheExpectedDiagnostics(String name) throws IOException {
    String text = Files.readString(BAD.resolve(name + ".adj"), StandardCharsets.UTF_8);
    // Compiled at its path under the test resources so that imports resolve; shown relative to them.
    String path = BAD.resolve(name + ".adj").toString();
    CompileException e = assertThrows(CompileException.class, () -> Compilation.compileSource(path, text),
        name + ".adj compiled without errors");
    String actual = e.diagnostics().render().replace(RESOURCES + "/", "");
    assertFalse(actual.contains("Exception") || actual.contains("\tat "), "a Java exception leaked:\n" + actual);
    Path golden = BAD.resolve(name + ".expected");
    if (Boolean.getBoolean("adjoint.updateGoldens")) Files.writeString(golden, actual, StandardCharsets.UTF_8);
    assertEquals(Files.readString(golden, StandardCharsets.UTF_8), actual);
  }

  @Test
  void nestingTooDeepForTheStackIsADiagnostic() {
    String text = "fn f(x: f32[3]) -> f32[3] = " + "(".repeat(1_000_000) + "x" + ")".repeat(1_000_000) + "\n";
    CompileException e = assertThrows(CompileException.class, () -> Compilation.compileSource("deep.adj", text));
    assertEquals("deep.adj:1:1: error: the program nests too deeply to compile: split its deepest expression with 'let'",
        e.diagnostics().render().lines().findFirst().orElseThrow());
  }

  @Test
  void corpusIsLargeAndEveryGoldenHasItsProgram() throws IOException {
    List<String> programs = programs();
    assertTrue(programs.size() >= 50, "only " + programs.size() + " bad programs");
    try (Stream<Path> files = Files.list(BAD)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".expected")).toList()) {
        String n = p.getFileName().toString();
        assertTrue(programs.contains(n.substring(0, n.length() - ".expected".length())), n + " has no .adj");
      }
    }
  }
}
