package dev.adjoint.cli;

import static dev.adjoint.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code adjoint dump}: the AST and the graph IR as text, the graph as DOT. */
class DumpCommandTest {
  @TempDir Path dir;

  private String file;

  @BeforeEach
  void program() {
    file = CliRunner.program(dir, "two.adj", """
        dim B
        fn two(x: f32[B, 3]) -> (f32[B, 3], f32[B]) {
          return (x * 2.0, sum(x, axis=-1))
        }
        """);
  }

  @Test
  void astAsText() {
    var r = run("dump", file, "--stage", "ast").succeeds();
    assertTrue(r.out().startsWith("(program\n  (dim B)\n  (fn two\n"), r.out());
    assertTrue(r.out().contains("(params (x f32[B, 3]))"), r.out());
    assertTrue(r.out().contains("(returns (tuple f32[B, 3] f32[B]))"), r.out());
    assertTrue(r.out().endsWith("\n"));
  }

  @Test
  void irAsText() {
    var r = run("dump", file, "--stage", "ir").succeeds();
    var lines = r.out().lines().toList();
    assertEquals("graph two(x: f32[B, 3]) -> (f32[B, 3], f32[B])", lines.get(0));
    assertEquals("  %0 = input x : f32[B, 3]", lines.get(1));
    assertTrue(lines.getLast().matches(" {2}return %\\d+, %\\d+"), lines.getLast());
    assertTrue(r.out().contains(" = mul %0, %"), r.out());
    assertTrue(r.out().contains("   # two.adj:3"), "lines name their source line:\n" + r.out());
    // Stable: the same text every time.
    assertEquals(r.out(), run("dump", file, "--stage", "ir").out());
  }

  /** As main() calls it: stdout is a buffered stream, and must be flushed before the exit. */
  @Test
  void everythingPrintedReachesABufferedStream() {
    var bytes = new java.io.ByteArrayOutputStream();
    var stdout = new java.io.PrintWriter(new java.io.OutputStreamWriter(bytes, java.nio.charset.StandardCharsets.UTF_8), true);
    var stderr = new java.io.PrintWriter(new java.io.StringWriter(), true);
    assertEquals(0, Main.run(new String[] {"dump", file, "--stage", "ir"}, stdout, stderr));
    assertEquals(run("dump", file, "--stage", "ir").out(), bytes.toString(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void irInF64() {
    var r = run("dump", file, "--stage", "ir", "--dtype", "f64").succeeds();
    assertTrue(r.out().startsWith("graph two(x: f64[B, 3]) -> (f64[B, 3], f64[B])\n"), r.out());
  }

  @Test
  void irAsDot() {
    var r = run("dump", file, "--stage", "ir", "--format", "dot").succeeds();
    assertTrue(r.out().startsWith("digraph \"two\" {\n"), r.out());
    assertTrue(r.out().endsWith("}\n"), r.out());
    assertTrue(r.out().contains("n0 [shape=box, label=\"%0 input x\\nf32[B, 3]\"];"), r.out());
    assertTrue(r.out().contains("n0 -> "), r.out());
    Graphviz.assertAccepts(r.out());
  }

  @Test
  void entryIsChosenAsForEval() {
    String models = CliRunner.program(dir, "m.adj", """
        const D = 3
        fn helper(x: f32[D]) -> f32[D] = x
        model M {
          param w: f32[D]
          fn forward(x: f32[D]) -> f32[D] = x * w
          fn other(x: f32[D]) -> f32[D] = x + w
        }
        """);
    assertTrue(run("dump", models, "--stage", "ir").succeeds().out().startsWith("graph M.forward(x: f32[3])"));
    assertTrue(run("dump", models, "--stage", "ir", "--entry", "M.other").succeeds().out()
        .startsWith("graph M.other(x: f32[3])"));
    assertTrue(run("dump", models, "--stage", "ir", "--entry", "helper").succeeds().out()
        .startsWith("graph helper(x: f32[3])"));
    run("dump", models, "--stage", "ir", "--entry", "M.nope").failsWith(1);
  }

  @Test
  void badProgramIsADiagnostic() {
    String bad = program(dir, "bad.adj", "fn f(x: f32[3]) -> f32[4] = x\n");
    var r = run("dump", bad, "--stage", "ir").failsWith(1);
    assertTrue(r.err().startsWith(bad + ":1:"), r.err());
  }

  private static String program(Path dir, String name, String text) {
    return CliRunner.program(dir, name, text);
  }
}
