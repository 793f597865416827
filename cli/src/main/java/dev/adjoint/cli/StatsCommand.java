package dev.adjoint.cli;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.memory.MemoryPlan;
import dev.adjoint.compiler.memory.MemoryPlanner;
import dev.adjoint.compiler.stats.ProgramStats;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "stats", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Estimate what an entry point costs at given sizes, run one primitive at a time and as fused kernels: "
        + "kernels, floating-point operations, bytes moved and peak memory.")
final class StatsCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE.adj", description = "The program.")
  Path file;

  @Option(names = "--entry", paramLabel = "NAME", description = "The entry point (default: as for eval).")
  String entry;

  @Option(names = "--grad", description = "Forward and backward, as a training step runs them.")
  boolean grad;

  @Option(names = "--train", description = "Training mode: dropout active.")
  boolean train;

  @Option(names = "--dim", paramLabel = "NAME=N", description = "A run-time size (repeatable); every size must be given.")
  List<String> dims = new ArrayList<>();

  @Option(names = "--dtype", paramLabel = "TYPE", description = "Compute every float in this type: f32 or f64.")
  EvalCommand.Precision dtype;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Compilation c = Compilation.compile(file);
    String name = entry != null ? entry : c.defaultEntry();
    RunOptions options = RunOptions.defaults().withDims(EvalCommand.parseDims(dims)).withTraining(train);
    if (dtype != null) options = options.withDtype(dtype.type);
    Graph graph = grad ? c.gradientGraph(name, options, false) : c.graph(name, options, Map.of()).graph();
    Map<String, Long> sizes = options.dims();
    for (var n : graph.topologicalOrder()) {
      for (var d : n.type().shape().dims()) {
        for (String s : d.symbols()) {
          if (!sizes.containsKey(s)) throw new UserError("size '" + s + "' is not given; pass --dim " + s + "=<size>");
        }
      }
    }
    KernelProgram program = c.kernels(name, options, grad);
    ProgramStats before = ProgramStats.unfused(graph, sizes);
    ProgramStats after = ProgramStats.fused(program, sizes);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%s%s%s at %s%n", name, grad ? " (forward and backward)" : "", train ? ", training mode" : "",
        new java.util.TreeMap<>(sizes));
    out.printf("%-22s %14s %14s %8s%n", "", "unfused", "fused", "ratio");
    row(out, "kernels", before.kernels(), after.kernels());
    row(out, "GFLOP", before.flops() / 1e9, after.flops() / 1e9);
    row(out, "MB moved", before.bytesMoved() / 1e6, after.bytesMoved() / 1e6);
    row(out, "peak MB", before.peakBytes() / 1e6, after.peakBytes() / 1e6);
    row(out, "largest buffer MB", before.largestBuffer() / 1e6, after.largestBuffer() / 1e6);
    MemoryPlan plan = MemoryPlanner.plan(program, sizes);
    // What the generated Java allocates: one array per slot of the arena, and the inputs, params and results.
    out.printf(java.util.Locale.ROOT, "memory plan: %d intermediates in %d arrays, arena %.3f MB; peak %.3f MB with the "
        + "inputs, params and results%n", plan.slotOf().size(), plan.slotBytes().size(), plan.arenaBytes() / 1e6,
        plan.peakBytes() / 1e6);
    Buffer largest = null;
    for (Buffer b : program.temporaries()) {
      if (largest == null || MemoryPlanner.bytes(b, sizes) > MemoryPlanner.bytes(largest, sizes)) largest = b;
    }
    if (largest != null) out.printf("largest intermediate: %s %s%n", largest.name(), largest.type());
    List<String> square = new ArrayList<>();
    for (Buffer b : program.temporaries()) if (isSquare(b)) square.add(b.name() + " " + b.type());
    out.println("intermediates with two axes of one run-time size (T x T): "
        + (square.isEmpty() ? "none" : String.join(", ", square)));
    return 0;
  }

  /** Two axes of the same symbolic size, such as attention scores [B, H, T, T]. */
  static boolean isSquare(Buffer b) {
    var dims = b.type().shape().dims();
    for (int i = 0; i < dims.size(); i++) {
      for (int j = i + 1; j < dims.size(); j++) {
        if (!dims.get(i).isConstant() && dims.get(i).equals(dims.get(j))) return true;
      }
    }
    return false;
  }

  private static void row(PrintWriter out, String what, double before, double after) {
    out.printf("%-22s %14.3f %14.3f %7.2fx%n", what, before, after, after == 0 ? 0 : before / after);
  }
}
