package dev.adjoint.cli;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.Run;
import dev.adjoint.compiler.GradientRun;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.frontend.Frontend;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.io.ArrayFileException;
import dev.adjoint.runtime.io.Npy;
import dev.adjoint.runtime.io.Safetensors;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run one entry point and write its results (output.npy, or output_0.npy, output_1.npy, … for a "
        + "tuple) and the params it used (params.safetensors) to --out.")
final class EvalCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE.adj", description = "The program.")
  Path file;

  @Option(names = "--entry", paramLabel = "NAME",
      description = "The function to run: NAME, or Model.fn (default: the only model's forward, else the only function).")
  String entry;

  @Option(names = "--input", paramLabel = "NAME=PATH.npy", description = "An argument of the entry point (repeatable).")
  List<String> inputs = new ArrayList<>();

  @Option(names = "--param", paramLabel = "NAME=PATH.npy", description = "A param's value, by full name (repeatable).")
  List<String> paramFiles = new ArrayList<>();

  @Option(names = "--params", paramLabel = "PATH.safetensors", description = "All params at once.")
  Path paramsFile;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of initialisers and randomness (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--dim", paramLabel = "NAME=N", description = "A run-time size no input fixes (repeatable).")
  List<String> dims = new ArrayList<>();

  @Option(names = "--dtype", paramLabel = "TYPE",
      description = "Compute every float in this type: ${COMPLETION-CANDIDATES} (default: as declared).")
  Precision dtype;

  @Option(names = "--backend", paramLabel = "NAME", defaultValue = "java",
      description = "Where to run: java (generated Java, the default), interp (the reference interpreter, f64-exact "
          + "oracle), fused (fused kernels in the kernel-IR interpreter), cuda (generated CUDA on the machine's GPU).")
  BackendChoice backend;

  @Option(names = "--threads", paramLabel = "N", description = "Threads for the java backend (default: the number of cores).")
  Integer threads;

  @Option(names = "--train", description = "Training mode: dropout active.")
  boolean train;

  @Option(names = "--check-numerics",
      description = "Check the results of every kernel as it runs (java backend): stop at the first NaN or infinity, "
          + "naming the kernel and its .adj lines.")
  boolean checkNumerics;

  @Option(names = "--grad", description = "Also write gradients: grad_<NAME>.npy for every param and floating-point input.")
  boolean grad;

  @Option(names = "--cotangent", paramLabel = "PATH.npy",
      description = "Seed cotangent for a non-scalar output, with --grad (default: ones).")
  Path cotangentFile;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where results go; created if missing.")
  Path out;

  @Option(names = "--memory-budget", paramLabel = "SIZE",
      description = "The most bytes one tensor may take, e.g. 512M or 4G (default: an eighth of the Java heap).")
  String memoryBudget;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  /** The backends eval can run on; a picocli enum, so another value is bad usage (exit 2). */
  enum BackendChoice {
    java, interp, fused, cuda;

    dev.adjoint.compiler.Backend create(Integer threads, boolean checkNumerics) {
      if (checkNumerics && this != java) {
        throw new UserError("--check-numerics checks the kernels of the generated Java; use it with --backend java");
      }
      return switch (this) {
        case interp -> dev.adjoint.compiler.Interpreters.GRAPH;
        case fused -> dev.adjoint.compiler.Interpreters.FUSED;
        case java -> new dev.adjoint.codegen.java.JavaExecution(
            threads != null ? threads : Runtime.getRuntime().availableProcessors(), checkNumerics);
        case cuda -> new dev.adjoint.codegen.cuda.CudaExecution();
      };
    }
  }

  @Override
  public Integer call() {
    Compilation c = Compilation.compile(file);
    String name = entry != null ? entry : c.defaultEntry();
    RunOptions options = new RunOptions(dtype == null ? Optional.empty() : Optional.of(dtype.type), train, seed,
        parseDims(dims), parseMemoryBudget(memoryBudget));
    checkDimNames(c, name, options);
    Map<String, Tensor> in = new LinkedHashMap<>();
    for (String spec : inputs) {
      String[] kv = split(spec, "--input", "NAME=PATH.npy");
      if (in.containsKey(kv[0])) throw new UserError("input '" + kv[0] + "' is given twice (--input " + spec + ")");
      in.put(kv[0], readNpy("input '" + kv[0] + "'", Path.of(kv[1])));
    }
    Map<String, Tensor> params = new LinkedHashMap<>();
    if (paramsFile != null) params.putAll(readSafetensors(paramsFile));
    Set<String> named = new HashSet<>();
    for (String spec : paramFiles) {
      String[] kv = split(spec, "--param", "NAME=PATH.npy");
      if (!named.add(kv[0])) throw new UserError("param '" + kv[0] + "' is given twice (--param " + spec + ")");
      params.put(kv[0], readNpy("param '" + kv[0] + "'", Path.of(kv[1])));
    }
    if (cotangentFile != null && !grad) throw new UserError("--cotangent needs --grad");
    Optional<Tensor> cotangent = cotangentFile == null ? Optional.empty() : Optional.of(readNpy("the cotangent", cotangentFile));
    List<Tensor> outputs;
    Map<String, Tensor> used;
    Map<String, Tensor> gradients = Map.of();
    if (grad) {
      GradientRun run = c.gradient(name, options, in, params, cotangent, backend.create(threads, checkNumerics));
      outputs = run.outputs();
      used = run.params();
      gradients = run.gradients();
    } else {
      Run run = c.run(name, options, in, params, backend.create(threads, checkNumerics));
      outputs = run.outputs();
      used = run.params();
    }
    createOutputFolder(out);
    PrintWriter stdout = this.spec.commandLine().getOut();
    for (int i = 0; i < outputs.size(); i++) {
      String fileName = outputs.size() == 1 ? "output.npy" : "output_" + i + ".npy";
      Npy.write(out.resolve(fileName), outputs.get(i));
      stdout.println(fileName + ": " + summary(outputs.get(i)));
    }
    for (var g : gradients.entrySet()) {
      String fileName = "grad_" + g.getKey() + ".npy";
      Npy.write(out.resolve(fileName), g.getValue());
      stdout.println(fileName + ": " + summary(g.getValue()));
    }
    Safetensors.write(out.resolve("params.safetensors"), used);
    return 0;
  }

  /** Small results in full, as the worked examples want; large ones by type and shape only. */
  static String summary(Tensor t) {
    return t.size() <= 64 ? t.toString() : t.dtype().languageName() + t.shape();
  }

  /** The element types --dtype accepts; a picocli enum, so that another value is bad usage (exit 2). */
  enum Precision {
    f32(DType.F32), f64(DType.F64);

    final DType type;

    Precision(DType type) {
      this.type = type;
    }
  }

  /** Reads a .npy file for {@code what} ("input 'x'"); every failure is a message naming both. */
  static Tensor readNpy(String what, Path path) {
    checkReadable(what, path);
    try {
      return Npy.read(path);
    } catch (ArrayFileException e) {
      throw new UserError("cannot read " + what + " from '" + path + "': " + e.problem());
    } catch (UncheckedIOException e) {
      throw new UserError("cannot read " + what + " from '" + path + "': " + reason(e.getCause()));
    }
  }

  static Map<String, Tensor> readSafetensors(Path path) {
    String what = "--params";
    checkReadable(what, path);
    try {
      return Safetensors.read(path);
    } catch (ArrayFileException e) {
      throw new UserError("cannot read " + what + " from '" + path + "': " + e.problem());
    } catch (UncheckedIOException e) {
      throw new UserError("cannot read " + what + " from '" + path + "': " + reason(e.getCause()));
    }
  }

  private static void checkReadable(String what, Path path) {
    if (!Files.exists(path)) throw new UserError("cannot read " + what + ": no such file '" + path + "'");
    if (Files.isDirectory(path)) throw new UserError("cannot read " + what + ": '" + path + "' is a folder, not a file");
  }

  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) return "permission denied";
    if (e instanceof FileSystemException fs && fs.getReason() != null) return fs.getReason();
    return String.valueOf(e.getMessage());
  }

  private static void createOutputFolder(Path out) {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new UserError("--out '" + out + "' is a file, not a folder");
    }
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new UserError("cannot create the --out folder '" + out + "': " + reason(e));
    }
  }

  /** A --dim that names no size of the entry point is a typo; say so instead of ignoring it. */
  private static void checkDimNames(Compilation c, String entry, RunOptions options) {
    if (options.dims().isEmpty()) return;
    Graph graph = c.graph(entry, options, Map.of()).graph();
    Set<String> sizes = new TreeSet<>();
    for (Node n : graph.topologicalOrder()) {
      for (Dim d : n.type().shape().dims()) sizes.addAll(d.symbols());
    }
    sizes.remove("...");
    for (String given : options.dims().keySet()) {
      if (sizes.contains(given)) continue;
      throw new UserError("--dim " + given + ": " + entry + " has no size named '" + given + "'"
          + Frontend.suggest(given, sizes)
          + (sizes.isEmpty() ? "; all its sizes are fixed" : "; its sizes are " + String.join(", ", sizes)));
    }
  }

  static Map<String, Long> parseDims(List<String> dims) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String d : dims) {
      String[] kv = split(d, "--dim", "NAME=N");
      long v;
      try {
        v = Long.parseLong(kv[1]);
      } catch (NumberFormatException e) {
        throw new UserError("--dim " + d + ": the size must be a non-negative integer, got '" + kv[1] + "'");
      }
      if (v < 0) throw new UserError("--dim " + d + ": the size must be a non-negative integer, got " + v);
      if (v > Integer.MAX_VALUE) {
        throw new UserError("--dim " + d + ": the size must be at most " + Integer.MAX_VALUE + ", got " + v);
      }
      if (out.containsKey(kv[0])) throw new UserError("--dim " + kv[0] + " is given twice");
      out.put(kv[0], v);
    }
    return out;
  }

  /** {@code --memory-budget}: bytes, or a number with K, M, G or T (powers of 1024); null is the default. */
  static long parseMemoryBudget(String text) {
    if (text == null) return RunOptions.DEFAULT_MEMORY_BUDGET;
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,18})\\s*([KMGT]?)(i?B)?",
        java.util.regex.Pattern.CASE_INSENSITIVE).matcher(text.strip());
    if (!m.matches()) throw new UserError("--memory-budget expects a size such as 512M or 4G, got '" + text + "'");
    int shift = switch (m.group(2).toUpperCase(java.util.Locale.ROOT)) {
      case "K" -> 10;
      case "M" -> 20;
      case "G" -> 30;
      case "T" -> 40;
      default -> 0;
    };
    long value = Long.parseLong(m.group(1));
    if (value == 0 || value > (Long.MAX_VALUE >> shift)) {
      throw new UserError("--memory-budget must be between 1 byte and " + (Long.MAX_VALUE >> 40) + "T, got '" + text + "'");
    }
    return value << shift;
  }

  /** Splits {@code NAME=VALUE}; {@code form} is how the option's value is written in its help. */
  static String[] split(String spec, String option, String form) {
    int eq = spec.indexOf('=');
    if (eq <= 0 || eq == spec.length() - 1) throw new UserError(option + " expects " + form + ", got '" + spec + "'");
    return new String[] {spec.substring(0, eq), spec.substring(eq + 1)};
  }
}
