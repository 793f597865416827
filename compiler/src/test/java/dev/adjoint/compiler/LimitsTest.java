package dev.adjoint.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.diag.CompileException;
import dev.adjoint.compiler.diag.Diagnostics;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every limit on what the compiler accepts ends in a message, asserted here word for word: sizes
 * whose product overflows or exceeds the memory budget (checked before anything is allocated),
 * nesting deeper than the stack, very long files and lines, import cycles. No test needs more
 * than the 1 GiB heap of the build.
 */
class LimitsTest {
  private static final Map<String, Tensor> X = Map.of("x", Tensor.ofDoubles(DType.F32, new int[] {3}, new double[] {1, 2, 3}));

  private static String firstLine(CompileException e) {
    return e.diagnostics().render().lines().findFirst().orElseThrow();
  }

  @Test
  void aSizeProductPastTheLargestTensorIsRefusedBeforeAllocation() {
    Compilation c = Compilation.compileSource("limits.adj", """
        model M {
          param w: f32[65536, 65536] = zeros()
          fn forward(x: f32[3]) -> f32[3] = sum(w) + x
        }
        """);
    InputException e = assertThrows(InputException.class, () -> c.run("M.forward", RunOptions.defaults(), X, Map.of()));
    assertEquals("param 'w' f32[65536, 65536] would be [65536, 65536], 4294967296 elements: more than 2147483647, "
        + "the most one tensor can hold", e.getMessage());
  }

  @Test
  void aSizeProductPastTheLongRangeIsExact() {
    Compilation c = Compilation.compileSource("limits.adj", """
        dim N
        fn f(x: f32[3]) -> f32[3] = x + sum(zeros_like(x) + sum(reshape(arange(N * N * N * N * N), [N, N, N, N, N])))
        """);
    long n = Integer.MAX_VALUE;
    InputException e = assertThrows(InputException.class,
        () -> c.run("f", RunOptions.defaults().withDims(Map.of("N", n)), X, Map.of()));
    assertEquals("tensor i32[N*N*N*N*N] would be [N*N*N*N*N > 9223372036854775807], more than 9223372036854775807 "
        + "elements: more than 2147483647, the most one tensor can hold (at limits.adj:2:65)", e.getMessage());
  }

  @Test
  void aTensorOverTheMemoryBudgetIsRefusedBeforeAllocation() {
    Compilation c = Compilation.compileSource("budget.adj", """
        model M {
          param w: f32[1024, 512] = zeros()
          fn forward(x: f32[3]) -> f32[3] = sum(w) + x
        }
        """);
    RunOptions options = RunOptions.defaults().withMemoryBudget(1 << 20);
    InputException e = assertThrows(InputException.class, () -> c.run("M.forward", options, X, Map.of()));
    assertEquals("param 'w' f32[1024, 512] would be [1024, 512], 2097152 bytes: more than the memory budget "
        + "of 1048576 bytes (--memory-budget)", e.getMessage());
    InputException t = assertThrows(InputException.class, () -> Compilation.compileSource("budget.adj", """
        fn f(x: f32[3]) -> f32[3] = x + sum(zeros_like(x) + sum(reshape(arange(1024 * 1024), [1024, 1024])))
        """).run("f", options, X, Map.of()));
    assertEquals("tensor i32[1048576] would be [1048576], 4194304 bytes: more than the memory budget of 1048576 bytes "
        + "(--memory-budget) (at budget.adj:1:65)", t.getMessage());
    // Within the budget it runs.
    c.run("M.forward", RunOptions.defaults().withMemoryBudget(2 << 20), X, Map.of());
  }

  @Test
  void aHundredThousandNestedParenthesesCallsAndBracketsAreADiagnostic() {
    int n = 100_000;
    for (String[] nest : List.of(new String[] {"(", ")"}, new String[] {"tanh(", ")"}, new String[] {"-", ""},
        new String[] {"[", "]"})) {
      String text = "fn f(x: f32[3]) -> f32[3] = " + nest[0].repeat(n) + "x" + nest[1].repeat(n) + "\n";
      CompileException e = assertThrows(CompileException.class, () -> Compilation.compileSource("deep.adj", text));
      assertEquals("deep.adj:1:1: error: the program nests too deeply to compile: split its deepest expression with 'let'",
          firstLine(e), nest[0]);
    }
  }

  @Test
  void aLongChainOfOperatorsIsADiagnostic() {
    String text = "fn f(x: f32[3]) -> f32[3] = x" + " + x".repeat(200_000) + "\n";
    CompileException e = assertThrows(CompileException.class, () -> Compilation.compileSource("chain.adj", text));
    assertEquals("chain.adj:1:1: error: the program nests too deeply to compile: split its deepest expression with 'let'",
        firstLine(e));
  }

  @Test
  void aMegabyteLineOfGarbageGivesAHundredShortMessagesFast() {
    String text = "fn f(x: f32[3]) -> f32[3] = x\n" + "@".repeat(1 << 20) + "\n";
    CompileException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> assertThrows(CompileException.class, () -> Compilation.compileSource("garbage.adj", text)));
    String rendered = e.diagnostics().render();
    List<String> lines = rendered.lines().toList();
    assertEquals(Diagnostics.MAX_ERRORS * 3 + 1, lines.size());
    assertTrue(lines.stream().allMatch(l -> l.length() <= 200), "a rendered line is longer than 200 characters");
    assertEquals("... and " + (e.diagnostics().errorCount() - Diagnostics.MAX_ERRORS)
        + " more errors (only the first 100 are shown)", lines.get(lines.size() - 1));
  }

  @Test
  void anErrorOnAMegabyteLineShowsAWindowOfIt() {
    String text = "fn f(x: f32[3]) -> f32[3] = x + " + " ".repeat(500_000) + "y" + " ".repeat(500_000) + "\n";
    CompileException e = assertThrows(CompileException.class, () -> Compilation.compileSource("long.adj", text));
    List<String> lines = e.diagnostics().render().lines().toList();
    assertEquals("long.adj:1:500033: error: unknown name 'y'", lines.get(0));
    assertTrue(lines.get(1).startsWith("...") && lines.get(1).endsWith("..."), lines.get(1));
    assertEquals(166, lines.get(1).length());
    assertEquals('y', lines.get(1).charAt(lines.get(2).indexOf('^')));
  }

  @Test
  void aFiftyMegabyteFileIsRefusedBeforeReading(@TempDir Path dir) throws IOException {
    Path big = dir.resolve("big.adj");
    byte[] line = "fn g(x: f32[3]) -> f32[3] = x + 1 // padding padding padding padding padding\n".getBytes(StandardCharsets.UTF_8);
    try (OutputStream out = Files.newOutputStream(big)) {
      for (long written = 0; written < 50L << 20; written += line.length) out.write(line);
    }
    long size = Files.size(big);
    CompileException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
        () -> assertThrows(CompileException.class, () -> Compilation.compile(big)));
    assertEquals(big + ":1:1: error: cannot read file: it is " + size + " bytes long; source files are limited to 8388608 bytes (8 MiB)",
        firstLine(e));
  }

  @Test
  void aLargeImportIsRefusedAtTheImport(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("big.adj"), new byte[(8 << 20) + 1]);
    Path main = dir.resolve("main.adj");
    Files.writeString(main, "import \"big.adj\"\nfn f(x: f32[3]) -> f32[3] = x\n");
    CompileException e = assertThrows(CompileException.class, () -> Compilation.compile(main));
    assertEquals(main + ":1:8: error: cannot import 'big.adj': it is 8388609 bytes long; source files are limited to "
        + "8388608 bytes (8 MiB)", firstLine(e));
  }

  @Test
  void aFileThatImportsItselfIsACycle(@TempDir Path dir) throws IOException {
    Path self = dir.resolve("self.adj");
    Files.writeString(self, "import \"self.adj\"\nfn f(x: f32[3]) -> f32[3] = x\n");
    CompileException e = assertThrows(CompileException.class, () -> Compilation.compile(self));
    assertEquals(self + ":1:8: error: import cycle: self.adj -> self.adj", firstLine(e));
  }

  @Test
  void anImportPathWithANulCharacterIsADiagnostic() {
    CompileException e = assertThrows(CompileException.class,
        () -> Compilation.compileSource("nul.adj", "import \"a\u0000b.adj\"\nfn f(x: f32[3]) -> f32[3] = x\n"));
    assertEquals("nul.adj:1:8: error: cannot import 'a\u0000b.adj': not a valid path (Nul character not allowed)", firstLine(e));
  }
}
