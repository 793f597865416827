package dev.adjoint.compiler.lower;

import dev.adjoint.compiler.autodiff.Simplifier;
import dev.adjoint.compiler.fusion.FusionPlan;
import dev.adjoint.compiler.fusion.Partitioner;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.kernel.KernelProgram;

/** The back half of the pipeline: simplify, partition into kernels, lower to kernel IR. */
public final class Fusion {
  private Fusion() {}

  public static FusionPlan plan(Graph graph) {
    return Partitioner.partition(Simplifier.simplify(graph));
  }

  public static KernelProgram lower(Graph graph) {
    return Lowerer.lower(plan(graph));
  }
}
