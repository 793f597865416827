package dev.adjoint.compiler.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.exec.gemm.CpuFamily;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The presets, by name, as the schedule dump prints them; constructors say what is wrong. */
class TargetTest {
  @Test
  void cpuPresetsPrintEveryField() {
    assertEquals("avx2: avx2, 256-bit vectors (8 f32, 4 f64 lanes), 16 vector registers, FMA 2 x 256-bit, 2 cores, "
        + "L1d 32 KiB, L2 512 KiB, L3 16 MiB", CpuTarget.named("AVX2").describe());
    assertEquals("avx512: avx512, 512-bit vectors (16 f32, 8 f64 lanes), 32 vector registers, FMA 2 x 512-bit, "
        + "2 cores, L1d 48 KiB, L2 2 MiB, L3 32 MiB", CpuTarget.named("avx512").describe());
    assertEquals("scalar: scalar, no vectors, 16 vector registers, no FMA, 2 cores, L1d 32 KiB, L2 512 KiB, L3 16 MiB",
        CpuTarget.named("scalar").describe());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuTarget.named("sse9"));
    assertEquals("unknown CPU target 'sse9': use one of avx2, avx512, scalar, or detected", e.getMessage());
  }

  @Test
  void eachFamilyHasAPresetOfThatFamily() {
    for (CpuFamily f : CpuFamily.values()) {
      assertEquals(f, CpuTarget.preset(f).family(), f.label());
      assertEquals(CpuTarget.named(f.label()), CpuTarget.preset(f));
    }
    CpuTargets every = CpuTargets.everyFamily();
    assertEquals(List.of(CpuFamily.AVX512, CpuFamily.AVX2, CpuFamily.SCALAR), List.copyOf(every.byFamily().keySet()));
    assertTrue(every.picksAtRunTime());
    CpuTargets one = CpuTargets.of(CpuTarget.avx2());
    assertEquals(Map.of(CpuFamily.AVX2, CpuTarget.avx2()), one.byFamily());
    assertFalse(one.picksAtRunTime());
    assertThrows(IllegalArgumentException.class, () -> new CpuTargets(Map.of()));
  }

  @Test
  void cudaPresetsPrintEveryField() {
    assertEquals("sm_80: compute capability 8.0, 108 SMs, shared memory 163 KiB per block / 164 KiB per SM, "
        + "65536 registers per SM, 1024 threads per block, tensor cores mma.sync m16n8k16.bf16, mma.sync m16n8k16.f16, "
        + "mma.sync m16n8k8.tf32", CudaTarget.named("sm80").describe());
    assertEquals(CudaTarget.sm90(), CudaTarget.named("90"));
    assertEquals("wgmma m64n256k8.tf32", CudaTarget.sm90().largestMma("tf32").toString());
    assertNull(CudaTarget.sm80().largestMma("f8"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CudaTarget.named("sm_70"));
    assertEquals("unknown CUDA target 'sm_70': use one of sm_80, sm_90", e.getMessage());
  }

  @Test
  void constructorsNameWhatIsWrong() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new CpuTarget("x", "avx2", 200, 16, 256, 2, 2, 1, 1, 1));
    assertEquals("vector bits must be a multiple of 32: 200", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new CpuTarget("x", "avx2", 256, 16, 256, 2, 0, 1, 1, 1));
    assertEquals("cores must be positive: 0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new CudaTarget.Mma("mma.sync", 0, 8, 8, "tf32"));
    assertEquals("mma shape must be positive: 0x8x8", e.getMessage());
  }
}
