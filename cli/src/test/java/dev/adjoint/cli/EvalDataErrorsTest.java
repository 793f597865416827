package dev.adjoint.cli;

import static dev.adjoint.cli.CliRunner.npy;
import static dev.adjoint.cli.CliRunner.program;
import static dev.adjoint.cli.CliRunner.run;

import dev.adjoint.runtime.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Inputs whose values (not shapes) make evaluation impossible: the message says where. */
class EvalDataErrorsTest {
  @TempDir Path dir;

  @Test
  void idOutsideTheTableNamesTheProgramLocation() {
    String p = program(dir, "e.adj", "fn main(table: f32[4, 2], ids: i32[3]) -> f32[3, 2] = embedding(table, ids)\n");
    String table = npy(dir, "t.npy", Tensor.ofFloats(new int[] {4, 2}, new float[8]));
    String ids = npy(dir, "i.npy", Tensor.ofInts(new int[] {3}, new int[] {0, 9, 1}));
    run("eval", p, "--input", "table=" + table, "--input", "ids=" + ids, "--out", dir.resolve("o").toString())
        .failsWithError("input 'ids' holds id 9 at [1], outside the 4 rows of its table (" + dir.resolve("e.adj") + ":1:55)");
  }

  @Test
  void aTensorTooLargeForMemoryIsRefusedBeforeAllocating() {
    String p = program(dir, "big.adj", "dim N\nfn main(x: f32[N]) -> f32[N, N] = unsqueeze(x, 1) * unsqueeze(x, 0)\n");
    String x = npy(dir, "x.npy", Tensor.ofFloats(new int[] {3}, new float[3]));
    run("eval", p, "--input", "x=" + x, "--out", dir.resolve("o").toString()).succeeds();
    String big = program(dir, "big2.adj", "dim N\nfn main(s: f32) -> f32[N, N] = causal_mask(N) * s\n");
    String s = npy(dir, "s.npy", Tensor.scalar(dev.adjoint.runtime.DType.F32, 1));
    run("eval", big, "--input", "s=" + s, "--dim", "N=50000", "--out", dir.resolve("o2").toString())
        .failsWithError("tensor i32[N, N] would be [50000, 50000], 2500000000 elements: more than 2147483647, the most one tensor can hold (at " + dir.resolve("big2.adj") + ":2:32)");
  }
}
