package dev.adjoint.codegen.cuda;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.runtime.DType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Runs generated CUDA C on the CPU: the program's translation unit is compiled by g++ together
 * with {@code cuda_emulation.h} (CUDA built-ins over fibers, a real barrier per block and per
 * warp) and a dispatch function generated here, which calls each kernel with its typed arguments.
 * Binaries are cached under {@code target/cuda-emulation/HASH}, so a test run compiles each
 * program once.
 */
final class CudaEmulator {
  /** Threads per block in emulation: two warps, so block reductions cross warps. */
  static final int THREADS = 64;
  /** At most this many blocks: grid-stride loops then take more than one turn. */
  static final long MAX_BLOCKS = 3;

  private static final Path CACHE = Path.of("target", "cuda-emulation").toAbsolutePath();

  private CudaEmulator() {}

  static boolean gxxAvailable() {
    return Tools.onPath("g++");
  }

  /** The emulation binary of a program: compiled now, or found in the cache. */
  static Path compile(CudaSource source) {
    return compile(List.of(source));
  }

  /**
   * One emulation binary for several programs (g++ spends most of a build on the harness's
   * headers): program i is {@code program_i.cu} in namespace {@code adj_program_i}, and its kernel
   * k is number {@link #firstKernel firstKernel(sources, i)} + k. One program builds as before.
   */
  static Path compile(List<CudaSource> sources) {
    String driver = driver(sources);
    StringBuilder texts = new StringBuilder();
    for (CudaSource source : sources) texts.append(source.text()).append('\u0000');
    String hash = sha256(texts + driver + "\u0000" + resource("cuda_emulation.h") + resource("emulation_main.h"));
    Path folder = CACHE.resolve(hash.substring(0, 24));
    Path binary = folder.resolve("program");
    if (Files.isExecutable(binary)) return binary;
    try {
      Files.createDirectories(folder);
      for (int i = 0; i < sources.size(); i++) Files.writeString(folder.resolve(unit(sources, i)), sources.get(i).text());
      Files.writeString(folder.resolve("driver.cpp"), driver);
      Files.writeString(folder.resolve("cuda_emulation.h"), resource("cuda_emulation.h"));
      Files.writeString(folder.resolve("emulation_main.h"), resource("emulation_main.h"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path partial = folder.resolve("program.partial");
    Tools.run(folder, List.of("g++", "-std=c++17", "-O0", "-w", "-o", partial.toString(), "driver.cpp"), 300);
    try {
      Files.move(partial, binary, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return binary;
  }

  /** Runs the program's kernels on the case's inputs and returns its outputs, in the program's order. */
  static List<DArray> run(Path binary, CudaSource source, CudaCases.Case c, Path work) {
    return run(binary, source, c, work, 0);
  }

  /**
   * As {@link #run(Path, CudaSource, CudaCases.Case, Path)}, in a binary of several programs whose
   * kernels of {@code source} start at number {@code firstKernel}.
   */
  static List<DArray> run(Path binary, CudaSource source, CudaCases.Case c, Path work, int firstKernel) {
    List<Buffer> buffers = buffers(source);
    Map<Buffer, Integer> ids = new LinkedHashMap<>();
    for (Buffer b : buffers) ids.put(b, ids.size());
    StringBuilder plan = new StringBuilder();
    plan.append(buffers.size()).append('\n');
    try {
      Files.createDirectories(work);
      for (Buffer b : buffers) {
        DArray value = c.values().get(b.name());
        boolean input = value != null && (source.program().arguments().contains(b) || source.program().params().contains(b));
        long count = b.type().shape().elementCount().evaluate(c.sizes());
        plan.append(ids.get(b)).append(' ').append(bytes(b.type().dtype())).append(' ').append(count).append(' ')
            .append(input ? 1 : 0).append('\n');
        if (input) Files.write(work.resolve("in_" + ids.get(b) + ".bin"), encode(b.type().dtype(), value.toArray()));
      }
      plan.append(source.kernels().size()).append('\n');
      for (int k = 0; k < source.kernels().size(); k++) {
        CudaKernel kernel = source.kernels().get(k);
        CudaKernel.Launch launch = kernel.launch(c.sizes(), THREADS, THREADS, MAX_BLOCKS);
        plan.append(firstKernel + k).append(' ').append(launch.blocks()).append(' ').append(launch.threads()).append(' ')
            .append(kernel.zeroed().size());
        for (Buffer b : kernel.zeroed()) plan.append(' ').append(ids.get(b));
        plan.append(' ').append(kernel.params().size());
        for (CudaKernel.Param p : kernel.params()) {
          long value = switch (p) {
            case CudaKernel.Param.BufferParam bp -> ids.get(bp.buffer());
            case CudaKernel.Param.SizeParam sp -> sp.dim().evaluate(c.sizes());
            case CudaKernel.Param.SeedParam sp -> c.seed();
            case CudaKernel.Param.StepParam sp -> c.step();
          };
          plan.append(' ').append(value);
        }
        plan.append('\n');
      }
      plan.append(source.program().outputs().size());
      for (Buffer b : source.program().outputs()) plan.append(' ').append(ids.get(b));
      plan.append('\n');
      Files.writeString(work.resolve("plan.txt"), plan);
      Tools.run(work, List.of(binary.toString(), work.toString()), 120);
      List<DArray> out = new ArrayList<>();
      for (Buffer b : source.program().outputs()) {
        byte[] data = Files.readAllBytes(work.resolve("out_" + ids.get(b) + ".bin"));
        int[] shape = b.type().shape().evaluate(c.sizes());
        out.add(DArray.of(b.type().dtype(), shape, decode(b.type().dtype(), data)));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every buffer of the program: arguments, params, outputs, temporaries, and any other a kernel names. */
  static List<Buffer> buffers(CudaSource source) {
    Set<Buffer> all = new LinkedHashSet<>();
    all.addAll(source.program().arguments());
    all.addAll(source.program().params());
    all.addAll(source.program().outputs());
    all.addAll(source.program().temporaries());
    for (Kernel k : source.program().kernels()) {
      all.addAll(k.reads());
      all.addAll(k.writes());
    }
    return List.copyOf(all);
  }

  /** The generated C++ that includes the program and calls kernel {@code k} with typed arguments. */
  static String driver(CudaSource source) {
    return driver(List.of(source));
  }

  /** The file that holds program {@code i} of {@code sources}: program.cu when it is the only one. */
  private static String unit(List<CudaSource> sources, int i) {
    return sources.size() == 1 ? "program.cu" : "program_" + i + ".cu";
  }

  /** The number of the first kernel of program {@code i} of {@code sources} in their binary. */
  static int firstKernel(List<CudaSource> sources, int i) {
    int first = 0;
    for (CudaSource s : sources.subList(0, i)) first += s.kernels().size();
    return first;
  }

  /** What the driver calls {@code kernel} of program {@code i} of {@code sources}, in its namespace. */
  private static String kernelName(List<CudaSource> sources, int i, CudaKernel kernel) {
    return sources.size() == 1 ? kernel.function() : "adj_program_" + i + "_" + kernel.function();
  }

  /** The generated C++ that includes the programs and calls kernel {@code k} with typed arguments. */
  static String driver(List<CudaSource> sources) {
    StringBuilder out = new StringBuilder();
    out.append("#include \"cuda_emulation.h\"\n");
    for (int i = 0; i < sources.size(); i++) {
      if (sources.size() == 1) {
        out.append("#include \"program.cu\"\n");
        continue;
      }
      // Programs share helper and kernel names: each in a namespace of its own, and its kernels, which
      // are extern "C" (one symbol whatever the namespace), renamed while it is included.
      out.append("namespace adj_program_").append(i).append(" {\n");
      for (CudaKernel k : sources.get(i).kernels()) {
        out.append("#define ").append(k.function()).append(' ').append(kernelName(sources, i, k)).append('\n');
      }
      out.append("#include \"").append(unit(sources, i)).append("\"\n");
      for (CudaKernel k : sources.get(i).kernels()) out.append("#undef ").append(k.function()).append('\n');
      out.append("}\n");
    }
    out.append("#include \"emulation_main.h\"\n\n");
    out.append("static void adj_dispatch(int kernel, void* const* B, const long long* A, dim3 grid, dim3 threads) {\n");
    out.append("  switch (kernel) {\n");
    for (int p = 0; p < sources.size(); p++) {
      CudaSource source = sources.get(p);
      for (int k = 0; k < source.kernels().size(); k++) {
        CudaKernel kernel = source.kernels().get(k);
        StringJoiner args = new StringJoiner(", ");
        for (int i = 0; i < kernel.params().size(); i++) {
          String a = "A[" + i + "]";
          args.add(switch (kernel.params().get(i)) {
            case CudaKernel.Param.BufferParam bp -> "(" + (bp.written() ? "" : "const ")
                + CudaExpressions.storageType(bp.buffer().type().dtype()) + "*) B[" + a + "]";
            case CudaKernel.Param.SizeParam sp -> "(int) " + a;
            case CudaKernel.Param.SeedParam sp -> "(unsigned long long) " + a;
            case CudaKernel.Param.StepParam sp -> "(int) " + a;
          });
        }
        out.append("    case ").append(firstKernel(sources, p) + k).append(": emu::launch(grid, threads, [&] { ")
            .append(sources.size() == 1 ? "" : "adj_program_" + p + "::").append(kernelName(sources, p, kernel))
            .append('(').append(args).append("); }); break;\n");
      }
    }
    out.append("    default: emu::fail(\"no such kernel\");\n  }\n}\n");
    return out.toString();
  }

  static int bytes(DType d) {
    return switch (d) {
      case F32, I32 -> 4;
      case F64 -> 8;
      case BF16, F16 -> 2;
      case BOOL -> 1;
    };
  }

  static byte[] encode(DType d, double[] values) {
    ByteBuffer out = ByteBuffer.allocate(values.length * bytes(d)).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      switch (d) {
        case F32 -> out.putFloat((float) v);
        case F64 -> out.putDouble(v);
        case I32 -> out.putInt((int) v);
        case BOOL -> out.put((byte) (v != 0 ? 1 : 0));
        case BF16 -> out.putShort((short) (Float.floatToRawIntBits((float) v) >>> 16));
        case F16 -> out.putShort(Float.floatToFloat16((float) v));
      }
    }
    return out.array();
  }

  static double[] decode(DType d, byte[] data) {
    ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    double[] out = new double[data.length / bytes(d)];
    for (int i = 0; i < out.length; i++) {
      out[i] = switch (d) {
        case F32 -> in.getFloat();
        case F64 -> in.getDouble();
        case I32 -> in.getInt();
        case BOOL -> in.get() != 0 ? 1 : 0;
        case BF16 -> Float.intBitsToFloat((in.getShort() & 0xffff) << 16);
        case F16 -> Float.float16ToFloat(in.getShort());
      };
    }
    return out;
  }

  static String resource(String name) {
    try (InputStream in = CudaEmulator.class.getResourceAsStream("/emulation/" + name)) {
      if (in == null) throw new IllegalStateException("missing test resource /emulation/" + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
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

}
