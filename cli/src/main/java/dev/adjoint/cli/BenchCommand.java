package dev.adjoint.cli;

import dev.adjoint.codegen.java.Instrumentation;
import dev.adjoint.codegen.java.JavaBackend;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.exec.KernelTimes;
import dev.adjoint.runtime.exec.RunContext;
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

  @Option(names = "--profile",
      description = "Also time every kernel (generated Java only) and print, before the last line, each one's mean "
          + "time per run, its share and its .adj lines, slowest first, and the time outside kernels.")
  boolean profile;

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
      if (profile) {
        throw new UserError("--profile times the kernels of the generated Java; use it with --backend java (with "
            + "--backend cuda every run is already timed on the GPU)");
      }
      return benchCuda(name, run);
    }
    Instrumentation instrumentation = new Instrumentation(checkNumerics, profile);
    JavaBackend.Prepared compiled = run.program().emit(p -> JavaBackend.compile(p.kernels(), JavaBackend.compiler(),
        instrumentation));
    KernelProgram program = compiled.program();
    int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    KernelTimes times = profile ? new KernelTimes(program.kernels().size()) : null;
    RunContext context = new RunContext(seed, 0, JavaBackend.pool(t), times);
    for (int i = 0; i < warmup; i++) compiled.run(run.values(), run.sizes(), context);
    if (times != null) times.clear();
    double[] ms = new double[iters];
    for (int i = 0; i < iters; i++) {
      long start = System.nanoTime();
      compiled.run(run.values(), run.sizes(), context);
      ms[i] = (System.nanoTime() - start) / 1e6;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%s%s on java, %d thread%s, sizes %s%n", name, grad ? " (forward and backward)" : "", t, t == 1 ? "" : "s",
        new java.util.TreeMap<>(run.sizes()));
    if (times != null) printProfile(program, times, Arrays.stream(ms).sum() / iters, out);
    printTimes(ms, out);
    return 0;
  }

  /** Each kernel's mean time per run, slowest first, then what the runs spent outside kernels. */
  private void printProfile(KernelProgram program, KernelTimes times, double meanRunMs, PrintWriter out) {
    List<Integer> order = new ArrayList<>();
    double kernelsMs = 0;
    int nameWidth = "kernel".length();
    for (int k = 0; k < times.kernels(); k++) {
      order.add(k);
      kernelsMs += times.nanos(k) / 1e6 / iters;
      nameWidth = Math.max(nameWidth, program.kernels().get(k).name().length());
    }
    order.sort((a, b) -> Long.compare(times.nanos(b), times.nanos(a)));
    out.printf("per kernel, mean of %d run%s:%n", iters, iters == 1 ? "" : "s");
    out.printf("%10s  %6s  %-" + nameWidth + "s  %s%n", "ms", "share", "kernel", "source");
    for (int k : order) {
      double kernelMs = times.nanos(k) / 1e6 / iters;
      var kernel = program.kernels().get(k);
      out.printf("%10.3f  %5.1f%%  %-" + nameWidth + "s  %s%n", kernelMs, 100 * kernelMs / meanRunMs, kernel.name(),
          kernel.sourceLines());
    }
    double outside = Math.max(0, meanRunMs - kernelsMs);
    out.printf("%10.3f  %5.1f%%  %s%n", outside, 100 * outside / meanRunMs,
        "outside kernels (inputs, buffers, outputs, calls)");
  }

  /** The same on the GPU: compiled once (cubin cached on disk), each run timed by CUDA events. */
  private int benchCuda(String name, Compilation.Execution run) {
    var program = run.program().through(dev.adjoint.compiler.pipeline.Stage.SCHEDULE);
    var driver = dev.adjoint.codegen.cuda.CudaBackend.driver();
    var compiled = program.emit(p -> dev.adjoint.codegen.cuda.CudaBackend.compile(p.kernels(), driver,
        dev.adjoint.runtime.cuda.CudaCompiler.create(dev.adjoint.runtime.cuda.CudaCompiler.defaultCacheDirectory())));
    Map<String, Long> sizes = dev.adjoint.codegen.cuda.CudaBackend.bindSizes(program.kernels(), run.values(), run.sizes());
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
