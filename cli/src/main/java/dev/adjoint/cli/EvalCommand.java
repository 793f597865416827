package dev.adjoint.cli;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.Run;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.io.Npy;
import dev.adjoint.runtime.io.Safetensors;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  @Option(names = "--dtype", paramLabel = "TYPE", description = "Compute every float in this type: f32 or f64 (default: as declared).")
  String dtype;

  @Option(names = "--backend", paramLabel = "NAME", defaultValue = "interp",
      description = "Where to run: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). The generated Java and CUDA "
          + "backends join as they are built.")
  Backend backend;

  @Option(names = "--train", description = "Training mode: dropout active.")
  boolean train;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where results go; created if missing.")
  Path out;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  enum Backend { interp }

  @Override
  public Integer call() throws IOException {
    Compilation c = Compilation.compile(file);
    String name = entry != null ? entry : c.defaultEntry();
    RunOptions options = new RunOptions(parseDtype(dtype), train, seed, parseDims(dims));
    Map<String, Tensor> in = new LinkedHashMap<>();
    for (String spec : inputs) {
      String[] kv = split(spec, "--input");
      if (in.put(kv[0], Npy.read(Path.of(kv[1]))) != null) throw new UserError("input '" + kv[0] + "' is given twice");
    }
    Map<String, Tensor> params = new LinkedHashMap<>();
    if (paramsFile != null) params.putAll(Safetensors.read(paramsFile));
    for (String spec : paramFiles) {
      String[] kv = split(spec, "--param");
      params.put(kv[0], Npy.read(Path.of(kv[1])));
    }
    Run run = c.run(name, options, in, params);
    Files.createDirectories(out);
    PrintWriter stdout = this.spec.commandLine().getOut();
    List<Tensor> outputs = run.outputs();
    for (int i = 0; i < outputs.size(); i++) {
      String fileName = outputs.size() == 1 ? "output.npy" : "output_" + i + ".npy";
      Npy.write(out.resolve(fileName), outputs.get(i));
      Tensor t = outputs.get(i);
      // Small results are shown in full, as the worked examples want; large ones by shape only.
      stdout.println(fileName + ": " + (t.size() <= 64 ? t.toString() : t.dtype().languageName() + t.shape()));
    }
    Safetensors.write(out.resolve("params.safetensors"), run.params());
    return 0;
  }

  static Optional<DType> parseDtype(String dtype) {
    if (dtype == null) return Optional.empty();
    return switch (dtype) {
      case "f32" -> Optional.of(DType.F32);
      case "f64" -> Optional.of(DType.F64);
      default -> throw new UserError("--dtype must be f32 or f64, got '" + dtype + "'");
    };
  }

  static Map<String, Long> parseDims(List<String> dims) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String d : dims) {
      String[] kv = split(d, "--dim");
      try {
        long v = Long.parseLong(kv[1]);
        if (v < 0) throw new NumberFormatException();
        out.put(kv[0], v);
      } catch (NumberFormatException e) {
        throw new UserError("--dim " + d + ": the size must be a non-negative integer");
      }
    }
    return out;
  }

  static String[] split(String spec, String option) {
    int eq = spec.indexOf('=');
    if (eq <= 0 || eq == spec.length() - 1) throw new UserError(option + " expects NAME=VALUE, got '" + spec + "'");
    return new String[] {spec.substring(0, eq), spec.substring(eq + 1)};
  }
}
