package dev.adjoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.io.Npy;
import dev.adjoint.runtime.io.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No data loss: {@code adjoint eval} runs in a child JVM writing a large output over an existing
 * one and is killed (SIGKILL) at moments spread over its run, writes included. Every time, each
 * file is either the old one, intact, or the complete new one, never a truncated or mixed file.
 */
class InterruptedWriteTest {
  private static final int N = 4_000_000; // output.npy of 32 MB (f64)

  @Test
  void killingEvalMidWriteLeavesTheOldFileOrTheWholeNewOne(@TempDir Path dir) throws Exception {
    Path program = dir.resolve("big.adj");
    Files.writeString(program, "dim N\nmodel M {\n  param w: f32[4] = ones()\n"
        + "  fn forward() -> f64[N] = cast(arange(N), f64) * 2.0 + cast(sum(w), f64)\n}\n");
    Path out = dir.resolve("out");
    Files.createDirectories(out);
    Tensor oldOutput = Tensor.ofDoubles(DType.F64, new int[] {3}, new double[] {7, 7, 7});
    Map<String, Tensor> oldParams = Map.of("w", Tensor.ofDoubles(DType.F32, new int[] {2}, new double[] {5, 5}));

    // A full run, to learn how long one takes.
    long start = System.nanoTime();
    Process full = eval(program, out, dir.resolve("full.log"));
    assertTrue(full.waitFor(120, TimeUnit.SECONDS), "eval did not finish");
    assertEquals(0, full.exitValue(), () -> log(dir.resolve("full.log")));
    long fullMillis = (System.nanoTime() - start) / 1_000_000;
    checkNew(Npy.read(out.resolve("output.npy")));

    int kept = 0;
    int replaced = 0;
    int runs = 8;
    for (int i = 0; i < runs; i++) {
      Npy.write(out.resolve("output.npy"), oldOutput);
      Safetensors.write(out.resolve("params.safetensors"), oldParams);
      Process p = eval(program, out, dir.resolve("run" + i + ".log"));
      // From half-way (compiling and computing) to the end (writing the files).
      Thread.sleep(fullMillis / 2 + (long) (fullMillis * 0.6 * i / (runs - 1)));
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
      Tensor output = Npy.read(out.resolve("output.npy")); // throws on a truncated file
      if (output.equals(oldOutput)) kept++;
      else {
        checkNew(output);
        replaced++;
      }
      Map<String, Tensor> params = Safetensors.read(out.resolve("params.safetensors"));
      if (!params.equals(oldParams)) assertEquals(Map.of("w", Tensor.ofDoubles(DType.F32, new int[] {4}, new double[] {1, 1, 1, 1})), params);
    }
    assertEquals(runs, kept + replaced);
    System.out.println("InterruptedWriteTest: full run " + fullMillis + " ms; killed " + runs + " times: old file kept "
        + kept + ", new file complete " + replaced);
  }

  private static void checkNew(Tensor t) {
    assertEquals(List.of(N), t.shape());
    for (int i : new int[] {0, 1, N / 2, N - 1}) {
      if (t.getDouble(i) != 2.0 * i + 4) fail("element " + i + " is " + t.getDouble(i));
    }
  }

  private static Process eval(Path program, Path out, Path log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx768m", "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "eval", program.toString(), "--dim", "N=" + N, "--out", out.toString()));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static String log(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

}
