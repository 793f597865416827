package dev.adjoint.cli;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ast.AstPrinter;
import dev.adjoint.compiler.ir.IrDot;
import dev.adjoint.compiler.ir.IrPrinter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

@Command(name = "dump", mixinStandardHelpOptions = true,
    description = "Print the program at one stage of the pipeline, as stable text or Graphviz DOT.")
final class DumpCommand implements Callable<Integer> {
  enum Stage { ast, ir, grad, opt, fused, kernels }

  enum Format { text, dot }

  @Parameters(paramLabel = "FILE.adj", description = "The program.")
  Path file;

  @Option(names = "--stage", required = true, paramLabel = "STAGE", description = "ast (syntax tree), ir (the entry's graph), grad (forward and backward as derived), "
          + "opt (forward and backward after simplification), fused (the groups that become kernels), "
          + "kernels (the lowered kernel IR).")
  Stage stage;

  @Option(names = "--entry", paramLabel = "NAME", description = "The entry point (default: as for eval).")
  String entry;

  @Option(names = "--grad", description = "With --stage fused or kernels: the forward and backward program.")
  boolean grad;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text", description = "text or dot (default: ${DEFAULT-VALUE}).")
  Format format;

  @Option(names = "--dtype", paramLabel = "TYPE", description = "Compute every float in this type: ${COMPLETION-CANDIDATES}.")
  EvalCommand.Precision dtype;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (stage == Stage.ast && format == Format.dot) {
      throw new ParameterException(spec.commandLine(), "--stage ast has no DOT form: use --format text, or --stage ir");
    }
    Compilation c = Compilation.compile(file);
    if (stage == Stage.ast) {
      spec.commandLine().getOut().print(AstPrinter.print(c.program()));
      return 0;
    }
    RunOptions options = RunOptions.defaults();
    if (dtype != null) options = options.withDtype(dtype.type);
    String name = entry != null ? entry : c.defaultEntry();
    if (stage == Stage.fused || stage == Stage.kernels) {
      var program = c.kernels(name, options, grad);
      String text = stage == Stage.fused
          ? (format == Format.dot ? dev.adjoint.compiler.kernel.KernelDot.print(program) : FusedSummary.print(program))
          : (format == Format.dot ? dev.adjoint.compiler.kernel.KernelDot.print(program)
              : dev.adjoint.compiler.kernel.KernelPrinter.print(program));
      spec.commandLine().getOut().print(text);
      return 0;
    }
    var graph = switch (stage) {
      case grad -> c.gradientGraph(name, options, false);
      case opt -> c.gradientGraph(name, options, true);
      default -> c.graph(name, options, Map.of()).graph();
    };
    spec.commandLine().getOut().print(format == Format.dot ? IrDot.print(graph) : IrPrinter.print(graph));
    return 0;
  }
}
