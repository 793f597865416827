package dev.adjoint.compiler.schedule;

import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelPrinter;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.target.CpuTarget;
import dev.adjoint.compiler.target.CudaTarget;
import dev.adjoint.compiler.target.Target;
import java.util.List;
import java.util.Objects;

/**
 * Runs a target's rule list over kernels: the schedule stage of the pipeline. A pure function of
 * the kernel and the target.
 */
public final class Scheduler {
  private Scheduler() {}

  /** The schedule of {@code kernel} on {@code target}: every rule of the target's list, in order. */
  public static Schedule schedule(Kernel kernel, Target target) {
    Objects.requireNonNull(kernel, "kernel");
    Objects.requireNonNull(target, "target");
    KernelFacts facts = KernelFacts.of(kernel);
    Schedule s = Schedule.start(kernel.name(), target.name());
    switch (target) {
      case CpuTarget cpu -> {
        for (Rule<CpuTarget> r : CpuRules.RULES) s = r.applyTo(facts, cpu, s);
      }
      case CudaTarget cuda -> {
        for (Rule<CudaTarget> r : CudaRules.RULES) s = r.applyTo(facts, cuda, s);
      }
    }
    return s;
  }

  /** The schedule of every kernel of {@code program}, in order. */
  public static List<Schedule> schedule(KernelProgram program, Target target) {
    return program.kernels().stream().map(k -> schedule(k, target)).toList();
  }

  /**
   * The program as {@code adjoint dump --stage schedule} prints it: the target, then each kernel's
   * header, its schedule and its kernel IR.
   */
  public static String print(KernelProgram program, Target target) {
    String kernels = KernelPrinter.print(program);
    StringBuilder out = new StringBuilder();
    int first = kernels.indexOf("\nkernel ");
    out.append(first < 0 ? kernels : kernels.substring(0, first + 1));
    out.append("target ").append(target.describe()).append('\n');
    for (Kernel k : program.kernels()) {
      String text = KernelPrinter.print(k);
      int header = text.indexOf('\n') + 1;
      out.append('\n').append(text, 0, header);
      out.append("  schedule\n").append(schedule(k, target).print("    "));
      out.append(text.substring(header));
    }
    return out.toString();
  }
}
