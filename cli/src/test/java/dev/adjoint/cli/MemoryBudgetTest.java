package dev.adjoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --memory-budget}: a tensor over it is refused, with its size, before anything is allocated. */
class MemoryBudgetTest {
  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(args, new PrintWriter(out), new PrintWriter(err));
    return new String[] {Integer.toString(status), err.toString().strip()};
  }

  @Test
  void aTensorOverTheBudgetIsAnError(@TempDir Path dir) throws Exception {
    Path program = dir.resolve("big.adj");
    Files.writeString(program, "dim N\nfn f() -> f32[N, N] = zeros_like(cast(reshape(arange(N * N), [N, N]), f32))\n");
    String[] r = run("eval", program.toString(), "--dim", "N=50000", "--memory-budget", "64M", "--out", dir.resolve("out").toString());
    assertEquals("1", r[0]);
    assertEquals("error: tensor f32[N, N] would be [50000, 50000], 2500000000 elements: more than 2147483647, the most one "
        + "tensor can hold (at " + program + ":2:23)", r[1]);
    r = run("eval", program.toString(), "--dim", "N=5000", "--memory-budget", "64M", "--out", dir.resolve("out").toString());
    assertEquals("1", r[0]);
    assertEquals("error: tensor f32[N, N] would be [5000, 5000], 100000000 bytes: more than the memory budget of 67108864 "
        + "bytes (--memory-budget) (at " + program + ":2:23)", r[1]);
    r = run("eval", program.toString(), "--dim", "N=50", "--memory-budget", "64M", "--out", dir.resolve("out").toString());
    assertEquals("0", r[0], r[1]);
  }

  @Test
  void aBadBudgetIsAnError(@TempDir Path dir) throws Exception {
    Path program = dir.resolve("p.adj");
    Files.writeString(program, "fn f() -> f32 = 1.0\n");
    String[] r = run("eval", program.toString(), "--memory-budget", "lots", "--out", dir.toString());
    assertEquals("1", r[0]);
    assertEquals("error: --memory-budget expects a size such as 512M or 4G, got 'lots'", r[1]);
    assertEquals(5L << 30, EvalCommand.parseMemoryBudget("5G"));
    assertEquals(512L << 20, EvalCommand.parseMemoryBudget("512MiB"));
    assertEquals(1000L, EvalCommand.parseMemoryBudget("1000"));
  }
}
