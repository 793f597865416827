package dev.adjoint.compiler.target;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * An NVIDIA GPU as a schedule sees it.
 *
 * @param name the preset's name ({@code sm_80}, {@code sm_90})
 * @param major compute capability, major
 * @param minor compute capability, minor
 * @param sms streaming multiprocessors
 * @param sharedMemoryPerBlock the most shared memory one block may have (with the opt-in attribute), bytes
 * @param sharedMemoryPerSm shared memory of one SM, bytes
 * @param registersPerSm 32-bit registers of one SM
 * @param maxThreadsPerBlock threads of the largest block
 * @param tensorCores the warp-level matrix multiply-accumulate shapes ({@code mma.sync}), and on sm_90 the
 *     warp-group ones ({@code wgmma})
 */
public record CudaTarget(String name, int major, int minor, int sms, int sharedMemoryPerBlock, int sharedMemoryPerSm,
    int registersPerSm, int maxThreadsPerBlock, List<Mma> tensorCores) implements Target {
  /** The presets, by name. */
  public static final List<String> PRESETS = List.of("sm_80", "sm_90");

  /**
   * One tensor-core instruction: an m × k by k × n product into an m × n accumulator.
   *
   * @param instruction {@code mma.sync} (a warp) or {@code wgmma} (a warp group of four)
   * @param inputs the operands' type ({@code f16}, {@code bf16}, {@code tf32})
   */
  public record Mma(String instruction, int m, int n, int k, String inputs) {
    public Mma {
      Objects.requireNonNull(instruction, "instruction");
      Objects.requireNonNull(inputs, "inputs");
      if (m < 1 || n < 1 || k < 1) throw new IllegalArgumentException("mma shape must be positive: " + m + "x" + n + "x" + k);
    }

    @Override
    public String toString() {
      return instruction + " m" + m + "n" + n + "k" + k + "." + inputs;
    }
  }

  public CudaTarget {
    Objects.requireNonNull(name, "name");
    tensorCores = List.copyOf(tensorCores);
    if (sms < 1 || sharedMemoryPerBlock < 1 || sharedMemoryPerSm < sharedMemoryPerBlock || registersPerSm < 1
        || maxThreadsPerBlock < 32) {
      throw new IllegalArgumentException("not a GPU: " + sms + " SMs, " + sharedMemoryPerBlock + " B shared per block, "
          + sharedMemoryPerSm + " per SM, " + maxThreadsPerBlock + " threads per block");
    }
  }

  /** An A100 (sm_80): 108 SMs, 163 KiB of shared memory per block, 164 KiB per SM. */
  public static CudaTarget sm80() {
    return new CudaTarget("sm_80", 8, 0, 108, 163 * 1024, 164 * 1024, 65536, 1024,
        List.of(new Mma("mma.sync", 16, 8, 16, "bf16"), new Mma("mma.sync", 16, 8, 16, "f16"),
            new Mma("mma.sync", 16, 8, 8, "tf32")));
  }

  /** An H100 SXM (sm_90): 132 SMs, 227 KiB of shared memory per block, 228 KiB per SM, warp-group MMAs. */
  public static CudaTarget sm90() {
    return new CudaTarget("sm_90", 9, 0, 132, 227 * 1024, 228 * 1024, 65536, 1024,
        List.of(new Mma("wgmma", 64, 256, 16, "bf16"), new Mma("wgmma", 64, 256, 8, "tf32"),
            new Mma("mma.sync", 16, 8, 16, "bf16"), new Mma("mma.sync", 16, 8, 8, "tf32")));
  }

  /**
   * A preset by name ({@link #PRESETS}; {@code sm80} and {@code 80} also work).
   *
   * @throws IllegalArgumentException naming the presets, for any other name
   */
  public static CudaTarget named(String name) {
    return switch (name.strip().toLowerCase(Locale.ROOT).replace("sm_", "").replace("sm", "")) {
      case "80" -> sm80();
      case "90" -> sm90();
      default -> throw new IllegalArgumentException("unknown CUDA target '" + name + "': use one of "
          + String.join(", ", PRESETS));
    };
  }

  /** The tensor-core shape for {@code inputs} with the largest m × n, or null where there is none. */
  public Mma largestMma(String inputs) {
    Mma best = null;
    for (Mma m : tensorCores) {
      if (m.inputs().equals(inputs) && (best == null || m.m() * m.n() > best.m() * best.n())) best = m;
    }
    return best;
  }

  @Override
  public String describe() {
    StringJoiner mma = new StringJoiner(", ");
    for (Mma m : tensorCores) mma.add(m.toString());
    return name + ": compute capability " + major + "." + minor + ", " + sms + " SMs, shared memory "
        + CpuTarget.bytes(sharedMemoryPerBlock) + " per block / " + CpuTarget.bytes(sharedMemoryPerSm) + " per SM, "
        + registersPerSm + " registers per SM, " + maxThreadsPerBlock + " threads per block, tensor cores " + mma;
  }
}
