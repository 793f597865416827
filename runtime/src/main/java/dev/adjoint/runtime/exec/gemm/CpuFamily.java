package dev.adjoint.runtime.exec.gemm;

import dev.adjoint.runtime.exec.VectorSupport;
import java.util.Locale;

/**
 * The kinds of CPU a GEMM schedule distinguishes, as the JIT uses them: their register files and
 * vector widths call for different register tiles and cache blocks. A generated class that may run
 * on another machine than the one that generated it holds its schedule's {@link GemmPlan} for each
 * family and takes the one for {@link #current()} when it loads:
 *
 * <pre>{@code
 * private static final GemmPlan GEMM = switch (CpuFamily.current()) {
 *   case AVX512 -> GemmPlan.of(12, 2, 192, 144, 512);
 *   case AVX2 -> GemmPlan.of(6, 2, 256, 96, 256);
 *   case SCALAR -> GemmPlan.of(4, 0, 512, 48, 128);
 * };
 * }</pre>
 *
 * <p>The family is read off what the JIT will use, the width of the Vector API's preferred species
 * ({@link VectorSupport#preferredBits()}, which the compiler's CPU detection reads too), not off the
 * CPU's flags alone: with {@code -XX:UseAVX=2} an AVX-512 machine's species is 256 bits and the JIT
 * keeps to VEX's 16 vector registers, so it is {@link #AVX2}. {@code -Dadjoint.cpu=avx2|avx512|scalar}
 * ({@link #PROPERTY}) overrides the reading, to run another family's plan here (tests, comparisons);
 * every plan gives the same results.
 */
public enum CpuFamily {
  /** 512-bit vectors and 32 vector registers (EVEX): AVX-512 as the JIT uses it by default. */
  AVX512("avx512"),
  /**
   * 256-bit vectors and 16 vector registers: AVX2, and AVX-512 under {@code -XX:UseAVX=2}; also any
   * narrower vectors (SSE, NEON), whose register files hold at least this family's tile.
   */
  AVX2("avx2"),
  /** No Vector API (its module not added, or {@code -Dadjoint.vector=false}): the scalar micro-kernel. */
  SCALAR("scalar");

  /** The system property that names the family to use instead of this machine's: {@code -Dadjoint.cpu=avx2}. */
  public static final String PROPERTY = "adjoint.cpu";

  private final String label;

  CpuFamily(String label) {
    this.label = label;
  }

  /** The family's name as {@code -Dadjoint.cpu} and the compiler's presets spell it: {@code avx512}, {@code avx2}, {@code scalar}. */
  public String label() {
    return label;
  }

  /**
   * This process's family: the one {@link #PROPERTY} names, else the one its preferred vector
   * species shows. Read on every call (a class reads it once, when it loads).
   *
   * @throws IllegalArgumentException if {@link #PROPERTY} names no family
   */
  public static CpuFamily current() {
    return select(VectorSupport.preferredBits(), System.getProperty(PROPERTY));
  }

  /**
   * The family for a JVM whose preferred vector species has {@code vectorBits} bits (0 without the
   * Vector API) and whose {@link #PROPERTY} is {@code override} (null or blank when unset;
   * {@code detected} also means no override).
   *
   * @throws IllegalArgumentException if {@code override} names no family
   */
  public static CpuFamily select(int vectorBits, String override) {
    if (override != null && !override.isBlank()) {
      String name = override.strip().toLowerCase(Locale.ROOT);
      for (CpuFamily f : values()) if (f.label.equals(name)) return f;
      if (name.equals("avx-512")) return AVX512;
      if (!name.equals("detected")) {
        throw new IllegalArgumentException("unknown CPU family '" + override.strip() + "' in -D" + PROPERTY
            + ": use one of avx512, avx2, scalar, or detected");
      }
    }
    return ofVectorBits(vectorBits);
  }

  /** The family of a preferred species of {@code vectorBits} bits: 512 or more AVX512, 0 SCALAR, any other AVX2. */
  public static CpuFamily ofVectorBits(int vectorBits) {
    if (vectorBits < 0) throw new IllegalArgumentException("negative vector bits: " + vectorBits);
    return vectorBits >= 512 ? AVX512 : vectorBits == 0 ? SCALAR : AVX2;
  }
}
