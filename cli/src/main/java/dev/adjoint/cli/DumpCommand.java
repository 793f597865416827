package dev.adjoint.cli;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ast.AstPrinter;
import dev.adjoint.compiler.ir.IrDot;
import dev.adjoint.compiler.kernel.KernelDot;
import dev.adjoint.compiler.pipeline.Artifacts;
import dev.adjoint.compiler.schedule.Scheduler;
import dev.adjoint.compiler.target.CpuTarget;
import dev.adjoint.compiler.target.CudaTarget;
import dev.adjoint.compiler.target.Target;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

@Command(name = "dump", mixinStandardHelpOptions = true,
    description = "Print the program at one stage of the pipeline, as stable text or Graphviz DOT.")
final class DumpCommand implements Callable<Integer> {
  /** The stages as the command line names them, each with the pipeline stage it runs through. */
  enum Stage {
    ast(null), ir(dev.adjoint.compiler.pipeline.Stage.ELABORATE), grad(dev.adjoint.compiler.pipeline.Stage.GRAD),
    opt(dev.adjoint.compiler.pipeline.Stage.SIMPLIFY), fused(dev.adjoint.compiler.pipeline.Stage.LOWER),
    kernels(dev.adjoint.compiler.pipeline.Stage.LOWER), schedule(dev.adjoint.compiler.pipeline.Stage.SCHEDULE);

    final dev.adjoint.compiler.pipeline.Stage pipeline;

    Stage(dev.adjoint.compiler.pipeline.Stage pipeline) {
      this.pipeline = pipeline;
    }
  }

  enum TargetKind { java, cuda }

  enum Format { text, dot }

  @Parameters(paramLabel = "FILE.adj", description = "The program.")
  Path file;

  @Option(names = "--stage", required = true, paramLabel = "STAGE", description = "ast (syntax tree), ir (the entry's graph), grad (forward and backward as derived), "
          + "opt (forward and backward after simplification), fused (the groups that become kernels), "
          + "kernels (the lowered kernel IR), schedule (each kernel with the schedule chosen for the target).")
  Stage stage;

  @Option(names = "--target", paramLabel = "TARGET", defaultValue = "java",
      description = "With --stage schedule: java (the CPU) or cuda (default: ${DEFAULT-VALUE}).")
  TargetKind target;

  @Option(names = "--cpu", paramLabel = "CPU", description = "With --stage schedule --target java: a preset, avx2, "
      + "avx512 or scalar, instead of the detected CPU (as this JVM uses it).")
  String cpu;

  @Option(names = "--gpu", paramLabel = "GPU", defaultValue = "sm_90",
      description = "With --stage schedule --target cuda: sm_80 or sm_90 (default: ${DEFAULT-VALUE}).")
  String gpu;

  @Option(names = "--entry", paramLabel = "NAME", description = "The entry point (default: as for eval).")
  String entry;

  @Option(names = "--grad", description = "With --stage fused, kernels or schedule: the forward and backward program.")
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
    Target chosen = null;
    if (stage == Stage.schedule) {
      if (format == Format.dot) throw new ParameterException(spec.commandLine(), "--stage schedule has no DOT form: use --format text");
      chosen = scheduleTarget();
    } else if (cpu != null) {
      throw new ParameterException(spec.commandLine(), "--cpu needs --stage schedule");
    }
    Compilation c = Compilation.compile(file);
    if (stage == Stage.ast) {
      spec.commandLine().getOut().print(AstPrinter.print(c.program()));
      return 0;
    }
    RunOptions options = RunOptions.defaults();
    if (dtype != null) options = options.withDtype(dtype.type);
    String name = entry != null ? entry : c.defaultEntry();
    boolean gradient = stage == Stage.grad || stage == Stage.opt || (grad && !stage.pipeline.isGraph());
    Artifacts program = c.pipeline(name, options, gradient).through(stage.pipeline);
    boolean dot = format == Format.dot;
    String text = switch (stage) {
      case fused -> dot ? KernelDot.print(program.lowered()) : FusedSummary.print(program.lowered());
      case kernels -> dot ? KernelDot.print(program.lowered()) : program.print(stage.pipeline);
      case schedule -> Scheduler.print(program.kernels(), chosen);
      default -> dot ? IrDot.print(program.graph(stage.pipeline)) : program.print(stage.pipeline);
    };
    spec.commandLine().getOut().print(text);
    return 0;
  }

  /** The target of {@code --target}, {@code --cpu} and {@code --gpu}; a usage error names the presets. */
  private Target scheduleTarget() {
    try {
      if (target == TargetKind.cuda) {
        if (cpu != null) throw new ParameterException(spec.commandLine(), "--cpu is for --target java; use --gpu with cuda");
        return CudaTarget.named(gpu);
      }
      return cpu == null ? CpuTarget.detected() : CpuTarget.named(cpu);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
