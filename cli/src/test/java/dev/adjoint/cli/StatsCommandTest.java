package dev.adjoint.cli;

import static dev.adjoint.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code adjoint stats}: the table comparing one kernel per primitive with the fused kernels, and
 * what it promises for the encoder layer's training step at the base model's size.
 */
class StatsCommandTest {
  private static final String ENCODER = CliRunner.EXAMPLES.resolve("encoder_layer_base.adj").toString();

  /** The column header: 22 columns of label, then three right-aligned columns. */
  private static final String COLUMNS = String.format("%-22s %14s %14s %8s", "", "unfused", "fused", "ratio");

  /** {@code label  unfused  fused  ratio x}, numbers with three decimals, the ratio with two. */
  private static final Pattern ROW = Pattern.compile("^(.{22}) +(\\d+\\.\\d{3}) +(\\d+\\.\\d{3}) +(\\d+\\.\\d{2})x$");

  private static final List<String> LABELS = List.of("kernels", "GFLOP", "MB moved", "peak MB", "largest buffer MB");

  @TempDir Path dir;

  record Row(String label, double unfused, double fused, double ratio) {}

  static Row row(String line) {
    Matcher m = ROW.matcher(line);
    assertTrue(m.matches(), () -> "not a table row: '" + line + "'");
    return new Row(m.group(1).strip(), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)),
        Double.parseDouble(m.group(4)));
  }

  @Test
  void encoderLayerTrainingStepFusesToAThirdOfTheKernelsAndHalfTheTraffic() {
    // Sizes in either order print sorted by name.
    var r = run("stats", ENCODER, "--entry", "EncoderBase.loss", "--grad", "--dim", "T=128", "--dim", "B=8").succeeds();
    List<String> lines = r.out().lines().toList();
    assertEquals(10, lines.size(), r.out());
    assertEquals("EncoderBase.loss (forward and backward) at {B=8, T=128}", lines.get(0));
    assertEquals(COLUMNS, lines.get(1));
    for (int i = 0; i < LABELS.size(); i++) assertEquals(LABELS.get(i), row(lines.get(2 + i)).label(), lines.get(2 + i));
    Row kernels = row(lines.get(2));
    Row moved = row(lines.get(4));
    assertTrue(kernels.ratio() >= 3, "kernel ratio " + kernels.ratio());
    assertTrue(moved.ratio() >= 2, "bytes-moved ratio " + moved.ratio());
    // The ratio column is unfused / fused.
    assertEquals(kernels.unfused() / kernels.fused(), kernels.ratio(), 0.005 + 1e-9);
    assertEquals(Math.rint(kernels.fused()), kernels.fused(), "a whole number of kernels");
    Matcher plan = Pattern.compile("memory plan: (\\d+) intermediates in (\\d+) arrays, arena (\\d+\\.\\d{3}) MB; "
        + "peak (\\d+\\.\\d{3}) MB with the inputs, params and results").matcher(lines.get(7));
    assertTrue(plan.matches(), lines.get(7));
    assertTrue(Integer.parseInt(plan.group(2)) < Integer.parseInt(plan.group(1)), "intermediates share arrays: " + lines.get(7));
    assertEquals(row(lines.get(5)).fused(), Double.parseDouble(plan.group(4)), 1e-9, "the table's fused peak is the plan's");
    assertTrue(lines.get(8).matches("largest intermediate: t\\d+ f32\\[B, T, 2048\\]"), lines.get(8));
    assertEquals("intermediates with two axes of one run-time size (T x T): none", lines.get(9));
  }

  @Test
  void forwardOnlyAndTrainingModeHeaders() {
    var fwd = run("stats", ENCODER, "--entry", "EncoderBase.loss", "--dim", "B=2", "--dim", "T=16").succeeds();
    assertEquals("EncoderBase.loss at {B=2, T=16}", fwd.out().lines().findFirst().orElseThrow());
    var train = run("stats", ENCODER, "--entry", "EncoderBase.loss", "--grad", "--train", "--dim", "B=2", "--dim", "T=16")
        .succeeds();
    assertEquals("EncoderBase.loss (forward and backward), training mode at {B=2, T=16}",
        train.out().lines().findFirst().orElseThrow());
    assertTrue(train.out().endsWith("intermediates with two axes of one run-time size (T x T): none\n"), train.out());
  }

  /** A stored intermediate with two T axes is named on the last line. */
  @Test
  void squareIntermediatesAreListed() {
    String f = CliRunner.program(dir, "square.adj", """
        dim T
        fn f(x: f32[T, T], y: f32[T, 4]) -> f32[T, 4] = exp(x) @ y
        """);
    var r = run("stats", f, "--dim", "T=64").succeeds();
    List<String> lines = r.out().lines().toList();
    assertEquals("f at {T=64}", lines.get(0));
    assertEquals("largest intermediate: t0 f32[T, T]", lines.get(8));
    assertEquals("intermediates with two axes of one run-time size (T x T): t0 f32[T, T]", lines.get(9));
  }

  @Test
  void aMissingDimIsNamed() {
    run("stats", ENCODER, "--entry", "EncoderBase.loss", "--grad", "--dim", "B=8")
        .failsWithError("size 'T' is not given; pass --dim T=<size>");
    run("stats", ENCODER, "--entry", "EncoderBase.loss", "--dim", "T=8")
        .failsWithError("size 'B' is not given; pass --dim B=<size>");
  }

  @Test
  void aBadDimIsAUsageError() {
    run("stats", ENCODER, "--dim", "B=eight", "--dim", "T=8")
        .failsWithError("--dim B=eight: the size must be a non-negative integer, got 'eight'");
  }
}
