package dev.adjoint.compiler.target;

import dev.adjoint.runtime.exec.gemm.CpuFamily;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A CPU as the JIT will use it: the width of the vector species it compiles to, how many vector
 * registers it allocates, its fused multiply-add units, cores and caches.
 *
 * @param name the preset's name, or {@code detected}
 * @param isa the vector instruction set the JIT uses: {@code avx512}, {@code avx2}, {@code sse}, {@code neon} or
 *     {@code scalar} (no Vector API)
 * @param vectorBits bits of the preferred vector species (0 without the Vector API)
 * @param vectorRegisters vector registers the JIT can allocate (16 for AVX2, 32 for AVX-512 and NEON)
 * @param fmaBits bits of one fused multiply-add instruction (0 where there is none)
 * @param fmaUnits fused multiply-adds a core issues per cycle
 * @param cores cores (threads) a program may use
 * @param l1dBytes first-level data cache of a core
 * @param l2Bytes second-level cache of a core
 * @param l3Bytes last-level cache, shared by the cores
 */
public record CpuTarget(String name, String isa, int vectorBits, int vectorRegisters, int fmaBits, int fmaUnits,
    int cores, long l1dBytes, long l2Bytes, long l3Bytes) implements Target {
  /** The presets, by name: what {@code --cpu} accepts. */
  public static final List<String> PRESETS = List.of("avx2", "avx512", "scalar");

  /**
   * The system property that makes the Java backend schedule for a preset instead of this machine,
   * and a generated class that picks its plans when it loads take that preset's ({@link CpuFamily}).
   */
  public static final String PROPERTY = CpuFamily.PROPERTY;

  private static final long KIB = 1024;
  private static final long MIB = 1024 * KIB;

  public CpuTarget {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(isa, "isa");
    if (vectorBits < 0 || vectorBits % 32 != 0) throw new IllegalArgumentException("vector bits must be a multiple of 32: " + vectorBits);
    if (vectorRegisters < 1) throw new IllegalArgumentException("vector registers must be positive: " + vectorRegisters);
    if (fmaBits < 0 || fmaUnits < 0) throw new IllegalArgumentException("negative FMA width or units: " + fmaBits + ", " + fmaUnits);
    if (cores < 1) throw new IllegalArgumentException("cores must be positive: " + cores);
    if (l1dBytes < 1 || l2Bytes < 1 || l3Bytes < 1) {
      throw new IllegalArgumentException("cache sizes must be positive: " + l1dBytes + ", " + l2Bytes + ", " + l3Bytes);
    }
  }

  /**
   * A 2-core AVX2 machine (Haswell to Zen 3): 256-bit vectors, 16 registers, two 256-bit FMA units,
   * 32 KiB L1d, 512 KiB L2, 16 MiB L3.
   */
  public static CpuTarget avx2() {
    return new CpuTarget("avx2", "avx2", 256, 16, 256, 2, 2, 32 * KIB, 512 * KIB, 16 * MIB);
  }

  /**
   * A 2-core AVX-512 machine (Sapphire Rapids, Zen 4 with 512-bit species): 512-bit vectors,
   * 32 registers, two 512-bit FMA units, 48 KiB L1d, 2 MiB L2, 32 MiB L3.
   */
  public static CpuTarget avx512() {
    return new CpuTarget("avx512", "avx512", 512, 32, 512, 2, 2, 48 * KIB, 2 * MIB, 32 * MIB);
  }

  /**
   * A 2-core machine where Java runs without the Vector API (its module not added, or
   * {@code -Dadjoint.vector=false}): no vectors, the GEMM's scalar 4 x 8 tile; AVX2's caches.
   */
  public static CpuTarget scalar() {
    return new CpuTarget("scalar", "scalar", 0, 16, 0, 2, 2, 32 * KIB, 512 * KIB, 16 * MIB);
  }

  /** The preset of a family: the target whose schedule a generated class runs on a machine of that family. */
  public static CpuTarget preset(CpuFamily family) {
    return switch (family) {
      case AVX512 -> avx512();
      case AVX2 -> avx2();
      case SCALAR -> scalar();
    };
  }

  /** The family whose plans a class generated for this target holds: by its vector width, as the runtime reads it. */
  public CpuFamily family() {
    return CpuFamily.ofVectorBits(vectorBits);
  }

  /**
   * A preset by name ({@link #PRESETS}), or {@code detected} for this machine and JVM.
   *
   * @throws IllegalArgumentException naming the presets, for any other name
   */
  public static CpuTarget named(String name) {
    return switch (name.strip().toLowerCase(Locale.ROOT)) {
      case "avx2" -> avx2();
      case "avx512", "avx-512" -> avx512();
      case "scalar" -> scalar();
      case "detected" -> detected();
      default -> throw new IllegalArgumentException("unknown CPU target '" + name + "': use one of "
          + String.join(", ", PRESETS) + ", or detected");
    };
  }

  /** This machine as this JVM uses it ({@link CpuDetection}), read once per process. */
  public static CpuTarget detected() {
    return Detected.TARGET;
  }

  /**
   * The target the Java backend schedules the classes it compiles and runs in process for: the
   * preset named by {@link #PROPERTY}, else {@link #detected()}. (Model classes, which may run
   * elsewhere, hold every family's plans instead.)
   */
  public static CpuTarget forJava() {
    String preset = System.getProperty(PROPERTY);
    return preset == null || preset.isBlank() ? detected() : named(preset);
  }

  /** f32 lanes of a vector (1 without the Vector API). */
  public int f32Lanes() {
    return Math.max(1, vectorBits / 32);
  }

  /** f64 lanes of a vector (1 without the Vector API). */
  public int f64Lanes() {
    return Math.max(1, vectorBits / 64);
  }

  /** Whether generated code multiplies on vectors. */
  public boolean hasVectors() {
    return vectorBits > 0;
  }

  /** f32 flops a core can do per cycle: two per lane of each FMA unit. */
  public int f32FlopsPerCycle() {
    return 2 * fmaUnits * Math.max(1, fmaBits / 32);
  }

  @Override
  public String describe() {
    return name + ": " + isa + ", " + (vectorBits == 0 ? "no vectors" : vectorBits + "-bit vectors (" + f32Lanes()
        + " f32, " + f64Lanes() + " f64 lanes)") + ", " + vectorRegisters + " vector registers, "
        + (fmaBits == 0 ? "no FMA" : "FMA " + fmaUnits + " x " + fmaBits + "-bit") + ", " + cores
        + (cores == 1 ? " core" : " cores") + ", L1d " + bytes(l1dBytes) + ", L2 " + bytes(l2Bytes) + ", L3 "
        + bytes(l3Bytes);
  }

  /** {@code 48 KiB}, {@code 2 MiB}, {@code 260 MiB}, or bytes. */
  static String bytes(long n) {
    if (n % MIB == 0) return n / MIB + " MiB";
    if (n % KIB == 0) return n / KIB + " KiB";
    return n + " B";
  }

  private static final class Detected {
    static final CpuTarget TARGET = CpuDetection.detect(CpuDetection.Sources.machine());
  }
}
