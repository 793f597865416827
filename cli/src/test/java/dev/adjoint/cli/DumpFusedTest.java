package dev.adjoint.cli;

import static dev.adjoint.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelPrinter;
import dev.adjoint.compiler.kernel.KernelProgram;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code adjoint dump --stage fused} (one line per kernel) and {@code --stage kernels} (the kernel IR), as text and DOT. */
class DumpFusedTest {
  /** {@code   k0_attention (25 nodes)  q:f32[…], … -> t0:f32[…]   # block.adj:7}. */
  private static final Pattern KERNEL_LINE =
      Pattern.compile("^ {2}(k\\d+)_([a-z]+) \\((\\d+) nodes\\) {2}(.*) -> (.+?)(?: {3}# (.*))?$");

  @TempDir Path dir;

  private String file;

  @BeforeEach
  void program() {
    file = CliRunner.program(dir, "block.adj", """
        dim B, T
        const H = 2, Dh = 8

        model Block {
          param gamma: f32[Dh] = ones()
          param beta: f32[Dh] = zeros()
          fn forward(q: f32[B, H, T, Dh], k: f32[B, H, T, Dh], v: f32[B, H, T, Dh]) -> f32[B, H, T, Dh] =
            layer_norm(attention(q, k, v, causal_mask(T)), gamma, beta)
        }
        """);
  }

  private KernelProgram compiled(boolean gradient) {
    return Compilation.compile(Path.of(file)).kernels("Block.forward", RunOptions.defaults(), gradient);
  }

  @Test
  void fusedIsOneLinePerKernel() {
    var r = run("dump", file, "--stage", "fused").succeeds();
    KernelProgram program = compiled(false);
    List<String> lines = r.out().lines().toList();
    assertEquals("program Block.forward: 2 kernels", lines.get(0));
    assertEquals(program.kernels().size() + 1, lines.size(), r.out());
    List<String> kinds = new ArrayList<>();
    for (int i = 0; i < program.kernels().size(); i++) {
      Kernel k = program.kernels().get(i);
      Matcher m = KERNEL_LINE.matcher(lines.get(i + 1));
      assertTrue(m.matches(), "not a kernel line: " + lines.get(i + 1));
      assertEquals(k.name(), m.group(1) + "_" + m.group(2));
      assertEquals(k.fusedNodes(), Integer.parseInt(m.group(3)));
      assertEquals(String.join(", ", k.reads().stream().map(b -> b.name() + ":" + b.type()).toList()), m.group(4));
      assertEquals(String.join(", ", k.writes().stream().map(b -> b.name() + ":" + b.type()).toList()), m.group(5));
      assertEquals("block.adj:8", m.group(6), "the source line, by file name");
      kinds.add(m.group(2));
    }
    // The attention output is layer-normed in a second kernel; no [B, H, T, T] buffer anywhere.
    assertEquals(List.of("attention", "reduction"), kinds);
    assertTrue(lines.get(1).endsWith("-> t0:f32[B, 2, T, 8]   # block.adj:8"), lines.get(1));
    assertTrue(!r.out().contains("T, T]"), r.out());
  }

  @Test
  void fusedWithTheBackward() {
    var r = run("dump", file, "--stage", "fused", "--grad").succeeds();
    KernelProgram program = compiled(true);
    List<String> lines = r.out().lines().toList();
    assertEquals("program grad Block.forward: " + program.kernels().size() + " kernels", lines.get(0));
    for (String line : lines.subList(1, lines.size())) assertTrue(KERNEL_LINE.matcher(line).matches(), line);
    assertEquals(program.kernels().size() + 1, lines.size());
  }

  @Test
  void kernelsIsTheKernelIr() {
    var r = run("dump", file, "--stage", "kernels").succeeds();
    assertEquals(KernelPrinter.print(compiled(false)), r.out());
    assertTrue(r.out().startsWith("program Block.forward\n  arguments q : f32[B, 2, T, 8], k : f32[B, 2, T, 8], v : f32[B, 2, T, 8]\n"
        + "  params gamma : f32[8], beta : f32[8]\n  outputs out : f32[B, 2, T, 8]\n  temporaries t0 : f32[B, 2, T, 8]\n"), r.out());
    assertTrue(r.out().contains("\nkernel k0_attention [attention]   # block.adj:8\n"), r.out());
    // Stable: the same text every time.
    assertEquals(r.out(), run("dump", file, "--stage", "kernels").out());
    var grad = run("dump", file, "--stage", "kernels", "--grad").succeeds();
    assertEquals(KernelPrinter.print(compiled(true)), grad.out());
  }

  @Test
  void kernelsInF64() {
    var r = run("dump", file, "--stage", "kernels", "--dtype", "f64").succeeds();
    assertTrue(r.out().contains("  outputs out : f64[B, 2, T, 8]\n"), r.out());
    assertTrue(!r.out().contains("f32"), r.out());
  }

  @Test
  void fusedAndKernelsAsDot() {
    for (List<String> extra : List.<List<String>>of(List.of(), List.of("--grad"))) {
      for (String stage : List.of("fused", "kernels")) {
        List<String> args = new ArrayList<>(List.of("dump", file, "--stage", stage, "--format", "dot"));
        args.addAll(extra);
        var r = run(args.toArray(String[]::new)).succeeds();
        boolean grad = !extra.isEmpty();
        int kernels = compiled(grad).kernels().size();
        assertTrue(r.out().startsWith("digraph \"" + (grad ? "grad " : "") + "Block.forward\" {\n"), r.out());
        assertTrue(r.out().endsWith("}\n"), r.out());
        assertEquals(kernels, r.out().split("subgraph cluster_", -1).length - 1, "one cluster per kernel:\n" + r.out());
        assertTrue(r.out().contains("label=\"k0_attention [attention]\""), r.out());
        Graphviz.assertAccepts(r.out());
      }
    }
  }

  /** The fused listing and stats count the same kernels. */
  @Test
  void encoderLayerFusedCountMatchesStats() {
    String encoder = CliRunner.EXAMPLES.resolve("encoder_layer_base.adj").toString();
    var fused = run("dump", encoder, "--stage", "fused", "--entry", "EncoderBase.loss", "--grad").succeeds();
    Matcher header = Pattern.compile("^program grad EncoderBase\\.loss: (\\d+) kernels$").matcher(fused.out().lines().findFirst().orElseThrow());
    assertTrue(header.matches(), fused.out());
    var stats = run("stats", encoder, "--entry", "EncoderBase.loss", "--grad", "--dim", "B=8", "--dim", "T=128").succeeds();
    StatsCommandTest.Row kernels = StatsCommandTest.row(stats.out().lines().toList().get(2));
    assertEquals(Double.parseDouble(header.group(1)), kernels.fused());
    assertTrue(!fused.out().contains("T, T]"), "no T x T buffer in the fused training step");
  }
}
