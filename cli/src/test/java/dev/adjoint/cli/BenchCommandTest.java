package dev.adjoint.cli;

import static dev.adjoint.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code adjoint bench}: its last line is exactly {@code median_ms=<x> min_ms=<y> iters=<n>} (CLI.md). */
class BenchCommandTest {
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

  @Test
  void missingSizeIsAnError() {
    run("bench", CliRunner.EXAMPLES.resolve("encoder_layer.adj").toString(), "--entry", "Encoder.forward", "--iters", "1")
        .failsWith(1);
  }
}
