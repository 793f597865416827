package dev.adjoint.cli;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.GradCheck;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.runtime.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "gradcheck", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Check an entry point's derived gradients against central finite differences in f64, along a "
        + "random direction per param and floating-point input (as torch.autograd.gradcheck). Inputs not given are "
        + "drawn from a normal distribution (i32 inputs uniformly below --max-id) at the sizes of --dim.")
final class GradcheckCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE.adj", description = "The program.")
  Path file;

  @Option(names = "--entry", paramLabel = "NAME", description = "The entry point (default: as for eval).")
  String entry;

  @Option(names = "--input", paramLabel = "NAME=PATH.npy", description = "An argument of the entry point (repeatable).")
  List<String> inputs = new ArrayList<>();

  @Option(names = "--dim", paramLabel = "NAME=N", description = "A run-time size (repeatable).")
  List<String> dims = new ArrayList<>();

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of params, inputs and directions (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--memory-budget", paramLabel = "SIZE",
      description = "The most bytes one tensor may take, e.g. 512M or 4G (default: an eighth of the Java heap).")
  String memoryBudget;

  @Option(names = "--train", description = "Training mode: dropout active (with the same masks throughout).")
  boolean train;

  @Option(names = "--step", paramLabel = "H", defaultValue = "1e-6", description = "Finite-difference step (default: ${DEFAULT-VALUE}).")
  double step;

  @Option(names = "--tolerance", paramLabel = "TOL", defaultValue = "1e-6",
      description = "Largest relative error that passes (default: ${DEFAULT-VALUE}).")
  double tolerance;

  @Option(names = "--max-id", paramLabel = "N", defaultValue = "2",
      description = "Drawn i32 inputs are in [0, N) (default: ${DEFAULT-VALUE}).")
  int maxId;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Compilation c = Compilation.compile(file);
    String name = entry != null ? entry : c.defaultEntry();
    RunOptions options = RunOptions.defaults().withSeed(seed).withTraining(train).withDims(EvalCommand.parseDims(dims))
        .withMemoryBudget(EvalCommand.parseMemoryBudget(memoryBudget));
    Map<String, Tensor> in = new LinkedHashMap<>();
    for (String s : inputs) {
      String[] kv = EvalCommand.split(s, "--input", "NAME=PATH.npy");
      in.put(kv[0], EvalCommand.readNpy("input '" + kv[0] + "'", Path.of(kv[1])));
    }
    in = RandomInputs.fill(c, name, options, in, new Random(seed), maxId);
    GradCheck.Report report = GradCheck.check(c, name, in, Map.of(), options, step);
    PrintWriter out = spec.commandLine().getOut();
    for (GradCheck.Check check : report.checks()) {
      String verdict = check.relativeError() <= tolerance ? "ok" : check.passes(tolerance) ? "ok (zero within rounding noise)" : "FAIL";
      out.printf("%-40s analytic %+.12e  numeric %+.12e  relative error %.2e  %s%n", check.name(), check.analytic(),
          check.numeric(), check.relativeError(), verdict);
    }
    boolean passed = report.passes(tolerance);
    out.printf("%s: %d checked, worst relative error %.2e (tolerance %.0e)%n", passed ? "passed" : "failed",
        report.checks().size(), report.checks().stream().filter(k -> k.relativeError() <= tolerance || !k.passes(tolerance))
            .mapToDouble(GradCheck.Check::relativeError).max().orElse(0), tolerance);
    return passed ? 0 : 1;
  }
}
