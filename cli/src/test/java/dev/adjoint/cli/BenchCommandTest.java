package dev.adjoint.cli;

import static dev.adjoint.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code adjoint bench}: its last line is exactly {@code median_ms=<x> min_ms=<y> iters=<n>} (CLI.md). */
class BenchCommandTest {
  @TempDir Path dir;

  @Test
  void lastLineIsTheContractsTimingLine() {
    String out = run("bench", CliRunner.EXAMPLES.resolve("encoder_layer.adj").toString(), "--entry", "Encoder.forward",
        "--dim", "B=2", "--dim", "T=4", "--warmup", "1", "--iters", "3", "--threads", "1").succeeds().out();
    List<String> lines = out.lines().toList();
    String last = lines.get(lines.size() - 1);
    assertTrue(last.matches("median_ms=\\d+\\.\\d+ min_ms=\\d+\\.\\d+ iters=3"), last);
  }

  @Test
  void gradTimesForwardAndBackward() {
    String out = run("bench", CliRunner.EXAMPLES.resolve("encoder_layer.adj").toString(), "--entry", "Encoder.forward",
        "--grad", "--dim", "B=2", "--dim", "T=4", "--warmup", "0", "--iters", "1").succeeds().out();
    assertTrue(out.startsWith("Encoder.forward (forward and backward) on java"), out);
  }

  /**
   * {@code --profile}: a row per kernel of the program (time, share, name, .adj lines), slowest
   * first, then the time outside kernels; the contract's timing line stays last.
   */
  @Test
  void profileListsEveryKernelSlowestFirstBeforeTheTimingLine() {
    String out = run("bench", CliRunner.EXAMPLES.resolve("encoder_layer.adj").toString(), "--entry", "Encoder.forward",
        "--grad", "--dim", "B=2", "--dim", "T=4", "--warmup", "1", "--iters", "2", "--threads", "2", "--profile")
        .succeeds().out();
    List<String> lines = out.lines().toList();
    assertEquals("per kernel, mean of 2 runs:", lines.get(1));
    assertTrue(lines.get(2).matches(" +ms +share +kernel +source"), lines.get(2));
    List<String> kernels = lines.subList(3, lines.size() - 2);
    assertTrue(kernels.size() > 5, out);
    double previous = Double.MAX_VALUE;
    java.util.Set<String> names = new java.util.HashSet<>();
    for (String row : kernels) {
      var m = java.util.regex.Pattern.compile(" *(\\d+\\.\\d{3})  +(\\d+\\.\\d)%  (k\\d+_[a-z]+) +encoder_layer\\.adj:[\\d, ]+.*")
          .matcher(row);
      assertTrue(m.matches(), row);
      double ms = Double.parseDouble(m.group(1));
      assertTrue(ms <= previous, "slowest first: " + out);
      previous = ms;
      assertTrue(names.add(m.group(3)), "each kernel once: " + row);
    }
    assertTrue(lines.get(lines.size() - 2).matches(
        " *\\d+\\.\\d{3}  +\\d+\\.\\d%  outside kernels \\(inputs, buffers, outputs, calls\\)"), lines.get(lines.size() - 2));
    assertTrue(lines.getLast().matches("median_ms=\\d+\\.\\d+ min_ms=\\d+\\.\\d+ iters=2"), lines.getLast());
  }

  @Test
  void profileIsForTheGeneratedJava() {
    run("bench", CliRunner.EXAMPLES.resolve("encoder_layer.adj").toString(), "--entry", "Encoder.forward",
        "--dim", "B=2", "--dim", "T=4", "--iters", "1", "--backend", "cuda", "--profile")
        .failsWithError("--profile times the kernels of the generated Java; use it with --backend java (with "
            + "--backend cuda every run is already timed on the GPU)");
  }

  /** Inputs drawn at the sizes of {@code --dim} are checked against the limit before they are drawn. */
  @Test
  void anInputTooLargeToDrawNamesTheInputItsShapeAndTheLimit() {
    String attention = CliRunner.program(dir, "attn.adj", """
        dim B, H, T
        fn attn(q: f32[B, H, T, 64], k: f32[B, H, T, 64], v: f32[B, H, T, 64]) -> f32[B, H, T, 64] =
          attention(q, k, v, causal_mask(T))
        """);
    run("bench", attention, "--dim", "B=64", "--dim", "H=16", "--dim", "T=100000", "--iters", "1")
        .failsWithError("input 'q' f32[B, H, T, 64] would be [64, 16, 100000, 64], 6553600000 elements: more than "
            + "2147483647, the most one tensor can hold");
    run("gradcheck", attention, "--dim", "B=64", "--dim", "H=16", "--dim", "T=100000")
        .failsWithError("input 'q' f32[B, H, T, 64] would be [64, 16, 100000, 64], 6553600000 elements: more than "
            + "2147483647, the most one tensor can hold");
  }

  @Test
  void missingSizeIsAnError() {
    run("bench", CliRunner.EXAMPLES.resolve("encoder_layer.adj").toString(), "--entry", "Encoder.forward", "--iters", "1")
        .failsWith(1);
  }
}
