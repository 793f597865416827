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

  /** The encoder layer's step with its schedules: the presets pick different tiles; the detected CPU prints too. */
  @Test
  void scheduleStagePrintsEveryKernelWithItsScheduleForTheChosenTarget() {
    String encoder = Path.of("../examples/src/main/adjoint/encoder_layer_base.adj").toString();
    var avx2 = run("dump", encoder, "--grad", "--stage", "schedule", "--cpu", "avx2").succeeds().out();
    var avx512 = run("dump", encoder, "--grad", "--stage", "schedule", "--cpu", "avx512").succeeds().out();
    assertTrue(avx2.contains("\ntarget avx2: avx2, 256-bit vectors (8 f32, 4 f64 lanes), 16 vector registers"), avx2);
    assertTrue(avx2.contains("    tile        6 x 2V = 6 x 16 f32: 12 accumulators + 2 + 1 = 15 of 16 registers\n"), avx2);
    assertTrue(avx512.contains("    tile        12 x 2V = 12 x 32 f32: 24 accumulators + 2 + 1 = 27 of 32 registers\n"),
        avx512);
    long kernels = avx2.lines().filter(l -> l.startsWith("kernel ")).count();
    assertEquals(kernels, avx2.lines().filter(l -> l.equals("  schedule")).count(), "every kernel has its schedule");
    assertTrue(avx2.contains("    routine     online softmax"), avx2);
    assertTrue(avx2.contains("\n  forall i0 in 0..B, i1 in 0..T, i2 in 0..512 {\n    var acc0: f32 = 0.0\n"
        + "    contract acc0 = acc0 + v2 * v3 over r1 in 0..512 {"), "and its structure");
    var detected = run("dump", encoder, "--grad", "--stage", "schedule").succeeds().out();
    assertTrue(detected.contains("\ntarget detected: "), detected);
    var cuda = run("dump", encoder, "--grad", "--stage", "schedule", "--target", "cuda", "--gpu", "sm_80").succeeds().out();
    assertTrue(cuda.contains("    routine     tiled product"), cuda);
  }

  @Test
  void scheduleOptionsAreCheckedWithMessages() {
    var r = run("dump", file, "--stage", "schedule", "--cpu", "pentium").failsWith(2);
    assertTrue(r.err().contains("unknown CPU target 'pentium': use one of avx2, avx512, scalar, or detected"), r.err());
    r = run("dump", file, "--stage", "ir", "--cpu", "avx2").failsWith(2);
    assertTrue(r.err().contains("--cpu needs --stage schedule"), r.err());
    r = run("dump", file, "--stage", "schedule", "--target", "cuda", "--cpu", "avx2").failsWith(2);
    assertTrue(r.err().contains("--cpu is for --target java"), r.err());
  }

  private static String program(Path dir, String name, String text) {
    return CliRunner.program(dir, name, text);
  }
}
