package dev.adjoint.cli;

import static dev.adjoint.cli.CliRunner.npy;
import static dev.adjoint.cli.CliRunner.program;
import static dev.adjoint.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.io.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eval --grad}, {@code --cotangent}, {@code dump --stage grad|opt} and {@code gradcheck}. */
class GradientCommandsTest {
  @TempDir Path dir;

  private String model() {
    return program(dir, "m.adj", """
        dim B
        model M {
          param w: f64[2, 2] = ones()
          fn forward(x: f64[B, 2]) -> f64[B, 2] = x @ w
          fn loss(x: f64[B, 2], ids: i32[B]) -> f64 = sum(forward(x) * forward(x))
        }
        """);
  }

  private static Tensor matrix(double... v) {
    return Tensor.ofDoubles(DType.F64, new int[] {v.length / 2, 2}, v);
  }

  private Set<String> files(String folder) throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve(folder))) {
      return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void gradWritesAGradientPerParamAndFloatInput() throws Exception {
    String x = npy(dir, "x.npy", matrix(1, 2, 3, 4));
    String ids = npy(dir, "ids.npy", Tensor.ofInts(new int[] {2}, new int[] {0, 1}));
    run("eval", model(), "--entry", "M.loss", "--grad", "--input", "x=" + x, "--input", "ids=" + ids,
        "--out", dir.resolve("o").toString()).succeeds();
    assertEquals(Set.of("output.npy", "grad_x.npy", "grad_w.npy", "params.safetensors"), files("o"));
    // loss = Σ (x·w)², w = ones: d/dx = 2 (x·w) wᵀ, each row of x·w is (s, s) with s the row sum.
    assertEquals(matrix(12, 12, 28, 28), Npy.read(dir.resolve("o/grad_x.npy")));
    assertEquals(Tensor.ofDoubles(DType.F64, new int[] {2, 2}, new double[] {2 * (3 + 21), 2 * (3 + 21), 2 * (6 + 28), 2 * (6 + 28)}),
        Npy.read(dir.resolve("o/grad_w.npy")));
  }

  @Test
  void cotangentSeedsANonScalarOutput() throws Exception {
    String x = npy(dir, "x.npy", matrix(1, 2, 3, 4));
    String c = npy(dir, "c.npy", matrix(1, 0, 0, 0));
    run("eval", model(), "--grad", "--cotangent", c, "--input", "x=" + x, "--out", dir.resolve("o").toString()).succeeds();
    assertEquals(matrix(1, 1, 0, 0), Npy.read(dir.resolve("o/grad_x.npy")));
  }

  @Test
  void cotangentOfTheWrongShapeIsAnError() {
    String x = npy(dir, "x.npy", matrix(1, 2, 3, 4));
    String c = npy(dir, "c.npy", matrix(1, 0));
    run("eval", model(), "--grad", "--cotangent", c, "--input", "x=" + x, "--out", dir.resolve("o").toString())
        .failsWithError("cotangent has shape [1, 2], but the output is f64[B, 2] = [2, 2]");
  }

  @Test
  void cotangentWithoutGradIsAnError() {
    String x = npy(dir, "x.npy", matrix(1, 2, 3, 4));
    run("eval", model(), "--cotangent", x, "--input", "x=" + x, "--out", dir.resolve("o").toString())
        .failsWithError("--cotangent needs --grad");
  }

  @Test
  void gradientOfAnIntegerOutputIsAnError() {
    String p = program(dir, "i.adj", "fn main(x: f64[2]) -> i32[2] = cast(x, i32)\n");
    String x = npy(dir, "x.npy", Tensor.ofDoubles(DType.F64, new int[] {2}, new double[] {1, 2}));
    run("eval", p, "--grad", "--input", "x=" + x, "--out", dir.resolve("o").toString())
        .failsWithError("cannot differentiate main: its output is i32[2], and only floating-point outputs have gradients");
  }

  @Test
  void dumpShowsTheGradientBeforeAndAfterSimplification() {
    String raw = run("dump", model(), "--stage", "grad", "--entry", "M.loss").succeeds().out();
    String opt = run("dump", model(), "--stage", "opt", "--entry", "M.loss").succeeds().out();
    assertTrue(raw.startsWith("graph grad M.loss(x: f64[B, 2], ids: i32[B]) -> (f64, f64[B, 2], f64[2, 2])"), raw);
    assertTrue(opt.lines().count() < raw.lines().count(), "simplification removes nodes:\n" + raw + "\n" + opt);
    String dot = run("dump", model(), "--stage", "opt", "--format", "dot").succeeds().out();
    assertTrue(dot.startsWith("digraph \"grad M.forward\" {"), dot);
  }

  @Test
  void gradcheckPassesOnACorrectModel() {
    var r = run("gradcheck", model(), "--entry", "M.loss", "--dim", "B=3").succeeds();
    assertTrue(r.out().contains("passed: 2 checked"), r.out());
  }
}
