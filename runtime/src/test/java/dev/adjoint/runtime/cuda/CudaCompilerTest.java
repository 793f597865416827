package dev.adjoint.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CUDA C to cubins: NVRTC or nvcc, and the cache on disk keyed by source hash and architecture. */
class CudaCompilerTest {
  private static final String SOURCE = "extern \"C\" __global__ void twice(float* x, int n) {\n"
      + "  int i = blockIdx.x * blockDim.x + threadIdx.x;\n  if (i < n) x[i] *= 2.0f;\n}\n";

  @TempDir Path cache;

  private static boolean compilerAvailable(CudaCompiler c) {
    if (c.compilerName().equals("nvrtc")) return true;
    String path = System.getenv("PATH");
    if (path == null) return false;
    for (String dir : path.split(File.pathSeparator)) if (Files.isExecutable(Path.of(dir, "nvcc"))) return true;
    return false;
  }

  @Test
  void aCubinIsCompiledOnceAndThenReadFromTheCache() throws Exception {
    CudaCompiler compiler = CudaCompiler.create(cache);
    assumeTrue(compilerAvailable(compiler), "neither NVRTC nor nvcc is installed");
    byte[] cubin = compiler.cubin(SOURCE, "sm_80");
    // An ELF image: what cuModuleLoadData takes.
    assertEquals(0x7f, cubin[0]);
    assertEquals('E', cubin[1]);
    Path cached = cache.resolve("sm_80").resolve(CudaCompiler.sha256(SOURCE) + ".cubin");
    assertTrue(Files.isRegularFile(cached), "cached at " + cached);
    // A marker in the cache file shows the second call reads it rather than compiling.
    byte[] marker = {1, 2, 3};
    Files.write(cached, marker);
    assertArrayEquals(marker, compiler.cubin(SOURCE, "sm_80"));
  }

  @Test
  void aCompileErrorNamesTheCompilerAndQuotesItsLog() {
    CudaCompiler compiler = CudaCompiler.create(cache);
    assumeTrue(compilerAvailable(compiler), "neither NVRTC nor nvcc is installed");
    CudaException e = assertThrows(CudaException.class, () -> compiler.cubin("this is not CUDA", "sm_90"));
    assertTrue(e.getMessage().startsWith(compiler.compilerName().equals("nvrtc")
        ? "NVRTC could not compile the generated CUDA for sm_90" : "nvcc -cubin -arch=sm_90 failed:"), e.getMessage());
  }

  @Test
  void anArchitectureIsCheckedBeforeAnythingRuns() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CudaCompiler.create(cache).cubin(SOURCE, "sm_90; rm -rf /"));
    assertEquals("not a GPU architecture: sm_90; rm -rf /", e.getMessage());
  }
}
