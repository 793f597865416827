package dev.adjoint.cli;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ast.AstPrinter;
import dev.adjoint.compiler.ir.IrDot;
import dev.adjoint.compiler.ir.IrPrinter;
import dev.adjoint.runtime.DType;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "dump", mixinStandardHelpOptions = true,
    description = "Print the program at one stage of the pipeline, as stable text or Graphviz DOT.")
final class DumpCommand implements Callable<Integer> {
  enum Stage { ast, ir }

  enum Format { text, dot }

  @Parameters(paramLabel = "FILE.adj", description = "The program.")
  Path file;

  @Option(names = "--stage", required = true, paramLabel = "STAGE", description = "One of: ${COMPLETION-CANDIDATES}.")
  Stage stage;

  @Option(names = "--entry", paramLabel = "NAME", description = "The entry point (default: as for eval).")
  String entry;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text", description = "text or dot (default: ${DEFAULT-VALUE}).")
  Format format;

  @Option(names = "--dtype", paramLabel = "TYPE", description = "Compute every float in this type: f32 or f64.")
  String dtype;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Compilation c = Compilation.compile(file);
    if (stage == Stage.ast) {
      if (format == Format.dot) throw new UserError("--stage ast has no DOT form; use --format text");
      spec.commandLine().getOut().print(AstPrinter.print(c.program()));
      return 0;
    }
    RunOptions options = RunOptions.defaults();
    Optional<DType> d = EvalCommand.parseDtype(dtype);
    if (d.isPresent()) options = options.withDtype(d.get());
    var graph = c.graph(entry != null ? entry : c.defaultEntry(), options, Map.of()).graph();
    spec.commandLine().getOut().print(format == Format.dot ? IrDot.print(graph) : IrPrinter.print(graph));
    return 0;
  }
}
