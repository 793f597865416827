package dev.adjoint.compiler.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The CPU target read from fake {@code /proc/cpuinfo} and {@code /sys} text: the JVM's view counts, not the flags alone. */
class CpuDetectionTest {
  /** An Emerald Rapids virtual machine's cpuinfo, abridged. */
  private static final String XEON = """
      processor	: 0
      vendor_id	: GenuineIntel
      model name	: Intel(R) Xeon(R) Processor
      flags		: fpu sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 avx512f avx512dq avx512cd avx512bw avx512vl
      """;
  private static final Map<String, String> XEON_CACHES = caches("index0/level=1", "index0/type=Data",
      "index0/size=48K", "index1/level=1", "index1/type=Instruction", "index1/size=32K", "index2/level=2",
      "index2/type=Unified", "index2/size=2048K", "index3/level=3", "index3/type=Unified", "index3/size=266240K");

  /** The files of a cache directory from {@code path=text} pairs, each text ending in a newline as sysfs ends it. */
  private static Map<String, String> caches(String... files) {
    Map<String, String> out = new java.util.TreeMap<>();
    for (String f : files) out.put(f.substring(0, f.indexOf('=')), f.substring(f.indexOf('=') + 1) + "\n");
    return out;
  }

  private static CpuTarget detect(String cpuinfo, Map<String, String> caches, int bits, List<String> args, String arch) {
    return CpuDetection.detect(new CpuDetection.Sources(cpuinfo, caches, bits, args, 2, arch));
  }

  @Test
  void anAvx512MachineWithA512BitSpeciesHas32Registers() {
    CpuTarget t = detect(XEON, XEON_CACHES, 512, List.of("-Xss16m"), "amd64");
    assertEquals(new CpuTarget("detected", "avx512", 512, 32, 512, 2, 2, 48 * 1024, 2048 * 1024, 266240L * 1024), t);
    assertEquals(16, t.f32Lanes());
    assertEquals(8, t.f64Lanes());
    assertEquals(64, t.f32FlopsPerCycle());
  }

  @Test
  void useAvx2OnAnAvx512MachineIsAvx2ShapedWith16Registers() {
    // -XX:UseAVX=2 makes the preferred species 256 bits and keeps the JIT to VEX encodings (ymm0-15).
    CpuTarget t = detect(XEON, XEON_CACHES, 256, List.of("-Xss16m", "-XX:UseAVX=2"), "amd64");
    assertEquals("avx2", t.isa());
    assertEquals(256, t.vectorBits());
    assertEquals(16, t.vectorRegisters());
    assertEquals(8, t.f32Lanes());
    assertEquals(48 * 1024, t.l1dBytes());
  }

  @Test
  void a256BitSpeciesWithExplicitUseAvx3KeepsEvexs32Registers() {
    assertEquals(32, detect(XEON, XEON_CACHES, 256, List.of("-XX:UseAVX=3", "-XX:MaxVectorSize=32"), "amd64")
        .vectorRegisters());
    assertEquals(16, detect(XEON, XEON_CACHES, 256, List.of("-XX:MaxVectorSize=32"), "amd64").vectorRegisters());
  }

  @Test
  void anAvx2MachineHas16Registers() {
    String zen2 = "flags\t\t: fpu sse sse2 avx fma avx2 bmi2\n";
    CpuTarget t = detect(zen2, Map.of("index0/level", "1", "index0/type", "Data", "index0/size", "32K"), 256,
        List.of(), "amd64");
    assertEquals("avx2", t.isa());
    assertEquals(16, t.vectorRegisters());
    assertEquals(256, t.fmaBits());
    assertEquals(32 * 1024, t.l1dBytes());
  }

  @Test
  void withoutTheVectorApiTheTargetIsScalar() {
    CpuTarget t = detect(XEON, XEON_CACHES, 0, List.of(), "amd64");
    assertEquals("scalar", t.isa());
    assertEquals(1, t.f32Lanes());
    assertTrue(!t.hasVectors());
  }

  @Test
  void armHasNeonsThirtyTwoRegisters() {
    CpuTarget t = detect("Features\t: fp asimd evtstrm aes crc32\n", Map.of(), 128, List.of(), "aarch64");
    assertEquals("neon", t.isa());
    assertEquals(32, t.vectorRegisters());
    assertEquals(4, t.f32Lanes());
  }

  @Test
  void missingCachesTakeDefaultsAndSizesParseEveryUnit() {
    CpuTarget t = detect("", Map.of(), 256, List.of(), "amd64");
    assertEquals(32 * 1024, t.l1dBytes());
    assertEquals(512 * 1024, t.l2Bytes());
    assertEquals(48 * 1024, CpuDetection.size("48K\n"));
    assertEquals(32L << 20, CpuDetection.size("32M"));
    assertEquals(1L << 30, CpuDetection.size("1G"));
    assertEquals(12345, CpuDetection.size("12345"));
    assertEquals(-1, CpuDetection.size("lots"));
  }

  @Test
  void theLastUseAvxCounts() {
    assertEquals(OptionalInt.of(2), CpuDetection.useAvx(List.of("-XX:UseAVX=3", "-XX:UseAVX=2")));
    assertEquals(OptionalInt.empty(), CpuDetection.useAvx(List.of("-XX:UseAVX=x", "-Xss16m")));
  }

  @Test
  void thisMachineIsReadWithoutFailing() {
    CpuTarget t = CpuTarget.detected();
    assertEquals("detected", t.name());
    assertTrue(t.cores() >= 1 && t.vectorRegisters() >= 16, t.describe());
  }
}
