package dev.adjoint.runtime.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.adjoint.runtime.io.AtomicWrites;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * CUDA C to a cubin for one GPU architecture: with NVRTC ({@code libnvrtc.so}, through
 * {@code java.lang.foreign}) when it is installed, else with {@code nvcc -cubin}. Cubins are
 * cached on disk under {@code cacheDirectory/ARCH/SHA256.cubin}, keyed by the source's hash and
 * the architecture, so a program is compiled once per machine.
 */
public final class CudaCompiler {
  /** NVRTC's library names, newest first. */
  static final List<String> NVRTC_LIBRARIES = List.of("libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12",
      "libnvrtc.so.11.2");

  private final Path cacheDirectory;
  private final Optional<Nvrtc> nvrtc;

  private CudaCompiler(Path cacheDirectory, Optional<Nvrtc> nvrtc) {
    this.cacheDirectory = cacheDirectory;
    this.nvrtc = nvrtc;
  }

  /** A compiler caching under {@code cacheDirectory}, with NVRTC when it can be loaded. */
  public static CudaCompiler create(Path cacheDirectory) {
    Objects.requireNonNull(cacheDirectory, "cacheDirectory");
    return new CudaCompiler(cacheDirectory, Nvrtc.load());
  }

  /** The default cache: {@code $ADJOINT_CACHE/cuda}, else {@code ~/.cache/adjoint/cuda}. */
  public static Path defaultCacheDirectory() {
    String property = System.getProperty("adjoint.cache");
    if (property != null) return Path.of(property, "cuda");
    String env = System.getenv("ADJOINT_CACHE");
    if (env != null) return Path.of(env, "cuda");
    return Path.of(System.getProperty("user.home"), ".cache", "adjoint", "cuda");
  }

  /** Which compiler runs: {@code nvrtc} or {@code nvcc}. */
  public String compilerName() {
    return nvrtc.isPresent() ? "nvrtc" : "nvcc";
  }

  /** The cubin of {@code source} for {@code architecture} ({@code sm_90}), from the cache or compiled now. */
  public byte[] cubin(String source, String architecture) {
    if (!architecture.matches("sm_[0-9]+a?")) throw new IllegalArgumentException("not a GPU architecture: " + architecture);
    Path cached = cacheDirectory.resolve(architecture).resolve(sha256(source) + ".cubin");
    try {
      if (Files.isRegularFile(cached)) return Files.readAllBytes(cached);
      byte[] cubin = nvrtc.isPresent() ? nvrtc.get().compile(source, architecture) : nvcc(source, architecture);
      Files.createDirectories(cached.getParent());
      AtomicWrites.write(cached, cubin);
      return cubin;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] nvcc(String source, String architecture) throws IOException {
    Path dir = Files.createTempDirectory("adjoint-nvcc");
    try {
      Files.writeString(dir.resolve("program.cu"), source);
      Process p;
      try {
        p = new ProcessBuilder("nvcc", "-cubin", "-O3", "-arch=" + architecture, "-o", "program.cubin", "program.cu")
            .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
      } catch (IOException e) {
        throw new CudaUnavailableException("no CUDA compiler: NVRTC (libnvrtc.so) could not be loaded and nvcc is not "
            + "on the PATH; install the CUDA toolkit");
      }
      if (!p.waitFor(600, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new CudaException("nvcc ran longer than 600 s");
      }
      if (p.exitValue() != 0) {
        throw new CudaException("nvcc -cubin -arch=" + architecture + " failed:\n" + Files.readString(dir.resolve("log.txt")));
      }
      return Files.readAllBytes(dir.resolve("program.cubin"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CudaException("interrupted while nvcc ran");
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    }
  }

  /** NVRTC through java.lang.foreign. */
  private static final class Nvrtc {
    private final MethodHandle createProgram;
    private final MethodHandle compileProgram;
    private final MethodHandle getLogSize;
    private final MethodHandle getLog;
    private final MethodHandle getCubinSize;
    private final MethodHandle getCubin;
    private final MethodHandle destroyProgram;

    private Nvrtc(SymbolLookup lib) {
      Linker linker = Linker.nativeLinker();
      createProgram = bind(linker, lib, "nvrtcCreateProgram", ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
      compileProgram = bind(linker, lib, "nvrtcCompileProgram", ADDRESS, JAVA_INT, ADDRESS);
      getLogSize = bind(linker, lib, "nvrtcGetProgramLogSize", ADDRESS, ADDRESS);
      getLog = bind(linker, lib, "nvrtcGetProgramLog", ADDRESS, ADDRESS);
      getCubinSize = bind(linker, lib, "nvrtcGetCUBINSize", ADDRESS, ADDRESS);
      getCubin = bind(linker, lib, "nvrtcGetCUBIN", ADDRESS, ADDRESS);
      destroyProgram = bind(linker, lib, "nvrtcDestroyProgram", ADDRESS);
    }

    static Optional<Nvrtc> load() {
      for (String name : NVRTC_LIBRARIES) {
        try {
          return Optional.of(new Nvrtc(SymbolLookup.libraryLookup(name, Arena.global())));
        } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
          // Not this version; try the next.
        }
      }
      return Optional.empty();
    }

    private static MethodHandle bind(Linker linker, SymbolLookup lib, String name, MemoryLayout... arguments) {
      return linker.downcallHandle(lib.find(name).orElseThrow(), FunctionDescriptor.of(JAVA_INT, arguments));
    }

    byte[] compile(String source, String architecture) {
      try (Arena a = Arena.ofConfined()) {
        MemorySegment program = a.allocate(ADDRESS);
        check(call(createProgram, program, a.allocateFrom(source), a.allocateFrom("adjoint.cu"), 0, MemorySegment.NULL,
            MemorySegment.NULL), "nvrtcCreateProgram");
        MemorySegment handle = program.get(ADDRESS, 0);
        try {
          String[] options = {"--gpu-architecture=" + architecture, "-default-device", "--std=c++17"};
          MemorySegment optionArray = a.allocate(ADDRESS, options.length);
          for (int i = 0; i < options.length; i++) optionArray.setAtIndex(ADDRESS, i, a.allocateFrom(options[i]));
          int result = call(compileProgram, handle, options.length, optionArray);
          if (result != 0) throw new CudaException("NVRTC could not compile the generated CUDA for " + architecture
              + " (nvrtcResult " + result + "):\n" + log(handle, a));
          MemorySegment size = a.allocate(JAVA_LONG);
          check(call(getCubinSize, handle, size), "nvrtcGetCUBINSize");
          MemorySegment cubin = a.allocate(size.get(JAVA_LONG, 0));
          check(call(getCubin, handle, cubin), "nvrtcGetCUBIN");
          return cubin.toArray(JAVA_BYTE);
        } finally {
          call(destroyProgram, program);
        }
      }
    }

    private String log(MemorySegment handle, Arena a) {
      MemorySegment size = a.allocate(JAVA_LONG);
      if (call(getLogSize, handle, size) != 0) return "(no log)";
      MemorySegment log = a.allocate(Math.max(1, size.get(JAVA_LONG, 0)));
      if (call(getLog, handle, log) != 0) return "(no log)";
      return log.getString(0);
    }

    private static void check(int result, String call) {
      if (result != 0) throw new CudaException(call + ": nvrtcResult " + result);
    }

    private static int call(MethodHandle handle, Object... arguments) {
      try {
        return (int) handle.invokeWithArguments(arguments);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new CudaException("NVRTC: " + t);
      }
    }
  }
}
