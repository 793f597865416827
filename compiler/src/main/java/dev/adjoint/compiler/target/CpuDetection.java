package dev.adjoint.compiler.target;

import dev.adjoint.runtime.exec.VectorSupport;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads the CPU target of this machine and JVM from text: {@code /proc/cpuinfo}'s flags, the cache
 * descriptions under {@code /sys/devices/system/cpu/cpu0/cache/index*}, the width of the Vector
 * API's preferred species and the JVM's arguments. Tests feed it other machines' text
 * ({@link Sources}); {@link Sources#machine()} reads this one.
 *
 * <p>The JVM decides what the JIT uses, not the CPU alone: with {@code -XX:UseAVX=2} on an AVX-512
 * machine the preferred species is 256 bits and the JIT encodes no EVEX instructions, so the target
 * is AVX2-shaped with 16 registers although the flags say {@code avx512f}.
 */
public final class CpuDetection {
  private static final long KIB = 1024;
  /** What a machine that tells nothing is assumed to have. */
  private static final long DEFAULT_L1D = 32 * KIB;
  private static final long DEFAULT_L2 = 512 * KIB;
  private static final long DEFAULT_L3 = 8 * 1024 * KIB;
  /** FMA units per core: not readable from the OS; two on every AVX2 and AVX-512 server core of the presets. */
  private static final int FMA_UNITS = 2;

  private CpuDetection() {}

  /**
   * Everything the detection reads.
   *
   * @param cpuinfo the text of {@code /proc/cpuinfo} ("" where there is none)
   * @param caches the files of the cache directory by relative path ({@code index0/level},
   *     {@code index0/type}, {@code index0/size}), their text
   * @param vectorBits the preferred vector species' bits (0 without the Vector API)
   * @param jvmArguments the JVM's arguments ({@code -XX:UseAVX=2} among them, if given)
   * @param cores available processors
   * @param arch {@code os.arch}
   */
  public record Sources(String cpuinfo, Map<String, String> caches, int vectorBits, List<String> jvmArguments, int cores,
      String arch) {
    public Sources {
      Objects.requireNonNull(cpuinfo, "cpuinfo");
      caches = Map.copyOf(caches);
      jvmArguments = List.copyOf(jvmArguments);
      Objects.requireNonNull(arch, "arch");
    }

    /** This machine and JVM. */
    public static Sources machine() {
      String cpuinfo = read(Path.of("/proc/cpuinfo"));
      Map<String, String> caches = new TreeMap<>();
      Path dir = Path.of("/sys/devices/system/cpu/cpu0/cache");
      for (int i = 0; i < 16; i++) {
        for (String file : List.of("level", "type", "size")) {
          String text = read(dir.resolve("index" + i).resolve(file));
          if (!text.isEmpty()) caches.put("index" + i + "/" + file, text);
        }
      }
      List<String> arguments;
      try {
        arguments = ManagementFactory.getRuntimeMXBean().getInputArguments();
      } catch (RuntimeException | LinkageError e) {
        arguments = List.of();
      }
      return new Sources(cpuinfo, caches, VectorSupport.preferredBits(), arguments,
          Runtime.getRuntime().availableProcessors(), System.getProperty("os.arch", ""));
    }

    private static String read(Path p) {
      try {
        return Files.isReadable(p) ? Files.readString(p) : "";
      } catch (IOException | RuntimeException e) {
        return "";
      }
    }
  }

  /** The target {@code sources} describe, named {@code detected}. */
  public static CpuTarget detect(Sources sources) {
    Set<String> flags = flags(sources.cpuinfo());
    boolean arm = sources.arch().contains("aarch64") || sources.arch().contains("arm");
    int bits = sources.vectorBits();
    OptionalInt useAvx = useAvx(sources.jvmArguments());
    String isa;
    int registers;
    if (arm) {
      isa = bits == 0 ? "scalar" : "neon";
      registers = 32;
    } else {
      // EVEX (32 registers) where the CPU has AVX-512 and the JVM may use it: UseAVX=3, or its default
      // (which a 512-bit species shows); UseAVX=2 or lower keeps the JIT to VEX's 16.
      boolean evex = flags.contains("avx512f") && (useAvx.isPresent() ? useAvx.getAsInt() >= 3 : bits >= 512);
      registers = evex ? 32 : 16;
      isa = bits >= 512 ? "avx512" : bits == 256 ? (flags.contains("avx2") || flags.isEmpty() ? "avx2" : "avx")
          : bits == 128 ? "sse" : "scalar";
    }
    boolean fma = arm || flags.contains("fma") || flags.isEmpty() && bits > 0;
    int fmaBits = fma ? Math.max(bits, 32) : 0;
    long[] caches = caches(sources.caches());
    return new CpuTarget("detected", isa, bits, registers, fmaBits, FMA_UNITS, Math.max(1, sources.cores()), caches[0],
        caches[1], caches[2]);
  }

  /** The flags of the first processor ({@code flags} on x86, {@code Features} on ARM), lower case. */
  static Set<String> flags(String cpuinfo) {
    for (String line : cpuinfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) continue;
      String key = line.substring(0, colon).strip();
      if (key.equals("flags") || key.equals("Features")) {
        return Set.copyOf(Arrays.asList(line.substring(colon + 1).strip().toLowerCase(Locale.ROOT).split("\\s+")));
      }
    }
    return Set.of();
  }

  /** The last {@code -XX:UseAVX=N} among the JVM's arguments (the one that counts), if any. */
  static OptionalInt useAvx(List<String> arguments) {
    OptionalInt out = OptionalInt.empty();
    for (String a : arguments) {
      if (!a.startsWith("-XX:UseAVX=")) continue;
      try {
        out = OptionalInt.of(Integer.parseInt(a.substring("-XX:UseAVX=".length()).strip()));
      } catch (NumberFormatException e) {
        // The JVM would not have started with it; ignore.
      }
    }
    return out;
  }

  /** L1d, L2, L3 in bytes from the cache directory's files; defaults for what is missing. */
  static long[] caches(Map<String, String> files) {
    long[] out = {DEFAULT_L1D, DEFAULT_L2, DEFAULT_L3};
    List<String> indices = new ArrayList<>();
    for (String key : files.keySet()) {
      String index = key.substring(0, Math.max(0, key.indexOf('/')));
      if (!index.isEmpty() && !indices.contains(index)) indices.add(index);
    }
    for (String index : indices) {
      String level = files.getOrDefault(index + "/level", "").strip();
      String type = files.getOrDefault(index + "/type", "").strip();
      long size = size(files.getOrDefault(index + "/size", ""));
      if (size <= 0 || type.equals("Instruction")) continue;
      switch (level) {
        case "1" -> out[0] = size;
        case "2" -> out[1] = size;
        case "3" -> out[2] = size;
        default -> {}
      }
    }
    return out;
  }

  /** {@code 48K}, {@code 2048K}, {@code 32M}, {@code 1G} or plain bytes; -1 when unreadable. */
  static long size(String text) {
    String t = text.strip().toUpperCase(Locale.ROOT);
    if (t.isEmpty()) return -1;
    long unit = switch (t.charAt(t.length() - 1)) {
      case 'K' -> KIB;
      case 'M' -> KIB * KIB;
      case 'G' -> KIB * KIB * KIB;
      default -> 1;
    };
    String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
    try {
      return Long.parseLong(digits.strip()) * unit;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
