package dev.adjoint.runtime.exec.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The family a generated class takes its GEMM plans for, from fixed species widths and -Dadjoint.cpu settings. */
class CpuFamilyTest {
  @Test
  void theFamilyIsWhatThePreferredSpeciesShows() {
    assertEquals(CpuFamily.AVX512, CpuFamily.select(512, null), "AVX-512 with the JIT's default");
    assertEquals(CpuFamily.AVX2, CpuFamily.select(256, null), "AVX2, or AVX-512 under -XX:UseAVX=2");
    assertEquals(CpuFamily.AVX2, CpuFamily.select(128, null), "SSE or NEON: no more than AVX2's tile");
    assertEquals(CpuFamily.SCALAR, CpuFamily.select(0, null), "no Vector API");
    assertEquals(CpuFamily.AVX512, CpuFamily.select(1024, ""), "a wider species has at least AVX-512's registers");
    assertEquals(CpuFamily.AVX2, CpuFamily.select(256, "detected"));
    assertEquals(CpuFamily.SCALAR, CpuFamily.select(0, "  "));
  }

  @Test
  void thePropertyOverridesTheMachine() {
    assertEquals(CpuFamily.AVX2, CpuFamily.select(512, "avx2"));
    assertEquals(CpuFamily.AVX512, CpuFamily.select(256, " AVX512 "));
    assertEquals(CpuFamily.AVX512, CpuFamily.select(0, "avx-512"));
    assertEquals(CpuFamily.SCALAR, CpuFamily.select(512, "scalar"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuFamily.select(512, "sse9"));
    assertEquals("unknown CPU family 'sse9' in -Dadjoint.cpu: use one of avx512, avx2, scalar, or detected",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CpuFamily.ofVectorBits(-1));
  }

  @Test
  void eachFamilyIsNamedAsThePropertySpellsIt() {
    for (CpuFamily f : CpuFamily.values()) assertEquals(f, CpuFamily.select(512, f.label()));
  }
}
