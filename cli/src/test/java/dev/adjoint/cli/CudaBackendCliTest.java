package dev.adjoint.cli;

import static dev.adjoint.cli.CliRunner.run;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --backend cuda} on a machine without the NVIDIA driver: a clear error, exit status 1, no
 * stack trace. (With a driver and a GPU the CUDA tests of codegen-cuda run the programs instead.)
 */
class CudaBackendCliTest {
  private static final String NO_DRIVER = "no CUDA driver: libcuda.so.1 is not installed or not on the library path; "
      + "the cuda backend needs an NVIDIA GPU and its driver; use --backend java";

  @TempDir Path dir;

  private static void assumeNoDriver() {
    boolean driver;
    try {
      SymbolLookup.libraryLookup("libcuda.so.1", Arena.global());
      driver = true;
    } catch (IllegalArgumentException e) {
      driver = false;
    }
    assumeFalse(driver, "this machine has the CUDA driver: the no-driver message cannot be seen here");
  }

  @Test
  void benchOnCudaWithoutADriverSaysSo() {
    assumeNoDriver();
    run("bench", CliRunner.EXAMPLES.resolve("encoder_layer.adj").toString(), "--entry", "Encoder.forward", "--dim",
        "B=1", "--dim", "T=4", "--iters", "1", "--backend", "cuda").failsWithError(NO_DRIVER);
  }

  @Test
  void evalOnCudaWithoutADriverSaysSo() {
    assumeNoDriver();
    run("eval", CliRunner.EXAMPLES.resolve("word_vectors.adj").toString(), "--entry", "orange_apple", "--backend", "cuda", "--out",
        dir.toString()).failsWithError(NO_DRIVER);
  }
}
