package dev.adjoint.cli;

import static dev.adjoint.cli.CliRunner.program;
import static dev.adjoint.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code adjoint check}: silent success, or every diagnostic of LANGUAGE.md §7 and exit 1. */
class CheckCommandTest {
  @TempDir Path dir;

  @Test
  void validProgramPrintsNothingAndExitsZero() {
    String file = program(dir, "ok.adj", """
        dim B
        fn double(x: f32[B, 3]) -> f32[B, 3] = x * 2.0
        """);
    var r = run("check", file).succeeds();
    assertEquals("", r.out());
  }

  @Test
  void everyExampleChecks() {
    for (String name : new String[] {"attention.adj", "encoder_layer.adj", "word_vectors.adj"}) {
      run("check", CliRunner.EXAMPLES.resolve(name).toString()).succeeds();
    }
  }

  @Test
  void badProgramReportsEveryErrorWithLocationSourceLineAndCaret() {
    String file = program(dir, "bad.adj", """
        dim B
        fn f(x: f32[B, 4], y: f32[B, 3]) -> f32[B, 4] {
          let z = x + y
          return z
        }
        fn g(x: f32[B, 4]) -> f32[B, 4] = sofmax(x)
        """);
    var r = run("check", file).failsWith(1);
    String[] lines = r.err().split("\\R");
    assertEquals(6, lines.length, r.err());
    assertEquals(file + ":3:11: error: shape mismatch in '+': f32[B, 4] and f32[B, 3]", lines[0]);
    assertEquals("  let z = x + y", lines[1]);
    assertEquals("          ^~~~~", lines[2]);
    assertEquals(file + ":6:35: error: unknown function 'sofmax' (did you mean 'softmax'?)", lines[3]);
    assertEquals("fn g(x: f32[B, 4]) -> f32[B, 4] = sofmax(x)", lines[4]);
    assertEquals("                                  ^~~~~~", lines[5]);
  }

  @Test
  void syntaxErrorIsADiagnosticNotAStackTrace() {
    String file = program(dir, "syntax.adj", "fn f(x: f32[3]) -> f32[3] = x +\n");
    var r = run("check", file).failsWith(1);
    assertTrue(r.err().startsWith(file + ":"), r.err());
    assertTrue(r.err().contains(": error: "), r.err());
  }

  @Test
  void missingFileIsReportedWithItsName() {
    String file = dir.resolve("nope.adj").toString();
    var r = run("check", file).failsWith(1);
    assertEquals(file + ":1:1: error: cannot read file: no such file" + System.lineSeparator(), r.err());
  }

  @Test
  void missingFileArgumentIsBadUsage() {
    var r = run("check");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("Missing required parameter: 'FILE.adj'"), r.err());
  }
}
