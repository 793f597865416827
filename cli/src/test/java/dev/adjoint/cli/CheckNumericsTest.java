package dev.adjoint.cli;

import static dev.adjoint.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.io.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --check-numerics}: the first kernel to write a NaN or an infinity stops the run and is named. */
class CheckNumericsTest {
  private static final String PROGRAM = String.join("\n",
      "dim N",
      "fn f(x: f32[N, 4], w: f32[4, 4]) -> f32[N, 4] {",
      "  let h = sqrt(x) @ w",
      "  return softmax(h * 1e30)",
      "}",
      "");

  @TempDir Path dir;
  private Path program;
  private Path good;
  private Path negative;
  private Path huge;
  private Path w;

  @BeforeEach
  void writeFiles() throws Exception {
    program = dir.resolve("numerics.adj");
    Files.writeString(program, PROGRAM);
    good = dir.resolve("good.npy");
    Npy.write(good, Tensor.ofDoubles(DType.F32, new int[] {2, 4}, new double[] {1, 4, 9, 16, 0, 1, 0, 1}));
    negative = dir.resolve("negative.npy");
    Npy.write(negative, Tensor.ofDoubles(DType.F32, new int[] {2, 4}, new double[] {1, 4, 9, 16, 0, 1, -1, 1}));
    huge = dir.resolve("huge.npy");
    Npy.write(huge, Tensor.ofDoubles(DType.F32, new int[] {2, 4}, new double[] {1, 4, 9, 16, 1e30, 1, 0, 1}));
    w = dir.resolve("w.npy");
    Npy.write(w, Tensor.ofDoubles(DType.F32, new int[] {4, 4}, new double[] {
        1, 0, 0, 0, 0, 1e-31, 0, 0, 0, 0, 1e-31, 0, 0, 0, 0, 1e-31}));
  }

  @Test
  void aNaNStopsTheRunAtTheKernelThatWroteIt() {
    run("eval", program.toString(), "--input", "x=" + negative, "--input", "w=" + w, "--out", dir.resolve("out").toString(),
        "--check-numerics")
        .failsWithError("kernel k0_contraction (numerics.adj:3, 4) wrote NaN to t0 at element 4");
    assertTrue(!Files.exists(dir.resolve("out/output.npy")));
  }

  /** The next kernel turns the infinity into NaNs; the check names the kernel that made it. */
  @Test
  void anInfinityToo() {
    run("eval", program.toString(), "--input", "x=" + huge, "--input", "w=" + w, "--out", dir.resolve("out").toString(),
        "--check-numerics")
        .failsWithError("kernel k0_contraction (numerics.adj:3, 4) wrote +inf to t0 at element 4");
  }

  @Test
  void finiteResultsPass() {
    run("eval", program.toString(), "--input", "x=" + good, "--input", "w=" + w, "--out", dir.resolve("out").toString(),
        "--check-numerics").succeeds();
    assertTrue(Files.exists(dir.resolve("out/output.npy")));
  }

  @Test
  void withoutTheCheckTheNaNIsWritten() {
    run("eval", program.toString(), "--input", "x=" + negative, "--input", "w=" + w, "--out", dir.resolve("out").toString())
        .succeeds();
  }

  @Test
  void benchChecksToo() {
    run("bench", program.toString(), "--input", "x=" + negative, "--input", "w=" + w, "--iters", "1", "--warmup", "0",
        "--check-numerics")
        .failsWithError("kernel k0_contraction (numerics.adj:3, 4) wrote NaN to t0 at element 4");
  }

  @Test
  void onlyTheJavaBackendChecks() {
    run("eval", program.toString(), "--input", "x=" + good, "--input", "w=" + w, "--out", dir.resolve("out").toString(),
        "--check-numerics", "--backend", "interp")
        .failsWithError("--check-numerics checks the kernels of the generated Java; use it with --backend java");
  }
}
