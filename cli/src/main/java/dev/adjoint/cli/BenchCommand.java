package dev.adjoint.cli;

import dev.adjoint.codegen.java.JavaBackend;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.lower.Fusion;
import dev.adjoint.runtime.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Time an entry point on the generated-Java or CUDA backend (with --grad: forward and backward, as a training "
        + "step runs them). Floating-point inputs not given are drawn from a normal distribution at the sizes of --dim. "
        + "Compilation and warm-up are not counted. The last line is median_ms=<x> min_ms=<y> iters=<n>.")
final class BenchCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE.adj", description = "The program.")
  Path file;

  @Option(names = "--entry", paramLabel = "NAME", description = "The entry point (default: as for eval).")
  String entry;

  @Option(names = "--input", paramLabel = "NAME=PATH.npy", description = "An argument of the entry point (repeatable).")
  List<String> inputs = new ArrayList<>();

  @Option(names = "--params", paramLabel = "PATH.safetensors", description = "All params at once (default: initialised from --seed).")
  Path paramsFile;

  @Option(names = "--dim", paramLabel = "NAME=N", description = "A run-time size (repeatable).")
  List<String> dims = new ArrayList<>();

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of params, inputs and randomness (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--dtype", paramLabel = "TYPE", description = "Compute every float in this type: f32 or f64.")
  EvalCommand.Precision dtype;

  @Option(names = "--train", description = "Training mode: dropout active.")
  boolean train;

  @Option(names = "--grad", description = "Forward and backward together.")
  boolean grad;

  @Option(names = "--check-numerics",
      description = "Check the results of every kernel as it runs: stop at the first NaN or infinity, naming the kernel "
          + "and its .adj lines (the checks are timed too).")
  boolean checkNumerics;

  @Option(names = "--warmup", paramLabel = "N", defaultValue = "3", description = "Untimed runs first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--iters", paramLabel = "N", defaultValue = "10", description = "Timed runs (default: ${DEFAULT-VALUE}).")
  int iters;

  /** Where bench runs: generated code only (the interpreters are oracles, not for timing). */
  enum BenchBackend { java, cuda }

  @Option(names = "--backend", paramLabel = "NAME", defaultValue = "java",
      description = "java (generated Java, the default) or cuda (generated CUDA on the machine's GPU: inputs copied "
          + "once, the kernels of each run timed with CUDA events).")
  BenchBackend backend;

  @Option(names = "--threads", paramLabel = "N", description = "Threads (default: the number of cores).")
  Integer threads;

  @Option(names = "--max-id", paramLabel = "N", defaultValue = "2", description = "Drawn i32 inputs are in [0, N) (default: ${DEFAULT-VALUE}).")
  int maxId;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (iters < 1 || warmup < 0) throw new UserError("--iters must be at least 1 and --warmup at least 0");
    Compilation c = Compilation.compile(file);
    String name = entry != null ? entry : c.defaultEntry();
    RunOptions options = RunOptions.defaults().withSeed(seed).withTraining(train).withDims(EvalCommand.parseDims(dims));
    if (dtype != null) options = options.withDtype(dtype.type);
    Map<String, Tensor> given = new LinkedHashMap<>();
    for (String s : inputs) {
      String[] kv = EvalCommand.split(s, "--input", "NAME=PATH.npy");
      given.put(kv[0], EvalCommand.readNpy("input '" + kv[0] + "'", Path.of(kv[1])));
    }
    Map<String, Tensor> in = RandomInputs.fill(c, name, options, given, new Random(seed), maxId);
    Map<String, Tensor> params = paramsFile == null ? Map.of() : EvalCommand.readSafetensors(paramsFile);
    Compilation.Execution run = c.execution(name, options, in, params, grad);
    if (backend == BenchBackend.cuda) {
      if (checkNumerics) {
        throw new UserError("--check-numerics checks the kernels of the generated Java; use it with --backend java");
      }
      return benchCuda(name, run);
    }
    JavaBackend.Prepared compiled = JavaBackend.compile(Fusion.lower(run.graph()), JavaBackend.compiler(), checkNumerics);
    int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    for (int i = 0; i < warmup; i++) compiled.run(run.values(), run.sizes(), seed, 0, t);
    double[] ms = new double[iters];
    for (int i = 0; i < iters; i++) {
      long start = System.nanoTime();
      compiled.run(run.values(), run.sizes(), seed, 0, t);
      ms[i] = (System.nanoTime() - start) / 1e6;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%s%s on java, %d thread%s, sizes %s%n", name, grad ? " (forward and backward)" : "", t, t == 1 ? "" : "s",
        new java.util.TreeMap<>(run.sizes()));
    printTimes(ms, out);
    return 0;
  }

  /** The same on the GPU: compiled once (cubin cached on disk), each run timed by CUDA events. */
  private int benchCuda(String name, Compilation.Execution run) {
    var program = Fusion.lower(run.graph());
    var driver = dev.adjoint.codegen.cuda.CudaBackend.driver();
    var compiled = dev.adjoint.codegen.cuda.CudaBackend.compile(program, driver,
        dev.adjoint.runtime.cuda.CudaCompiler.create(dev.adjoint.runtime.cuda.CudaCompiler.defaultCacheDirectory()));
    Map<String, Long> sizes = dev.adjoint.codegen.cuda.CudaBackend.bindSizes(program, run.values(), run.sizes());
    double[] ms = compiled.timeKernels(run.values(), sizes, seed, warmup, iters);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%s%s on cuda (%s, %s), sizes %s%n", name, grad ? " (forward and backward)" : "", driver.deviceName(),
        driver.architecture(), new java.util.TreeMap<>(run.sizes()));
    printTimes(ms, out);
    return 0;
  }

  private void printTimes(double[] ms, PrintWriter out) {
    Arrays.sort(ms);
    double median = iters % 2 == 1 ? ms[iters / 2] : (ms[iters / 2 - 1] + ms[iters / 2]) / 2;
    out.printf("median_ms=%.3f min_ms=%.3f iters=%d%n", median, ms[0], iters);
  }
}
