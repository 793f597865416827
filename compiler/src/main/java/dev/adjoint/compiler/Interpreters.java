package dev.adjoint.compiler;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.compiler.interp.Interpreter;
import dev.adjoint.compiler.kernel.KernelInterpreter;
import dev.adjoint.compiler.pipeline.Stage;
import dev.adjoint.runtime.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The backends the compiler carries itself: the reference interpreter, and fused kernels
 * interpreted — with their structure, as lowering produces them, or at loop level, as the Java and
 * CUDA emitters print them (the two agree bit for bit).
 */
public final class Interpreters {
  private Interpreters() {}

  /**
   * The oracle: the graph, node by node. An entry alone runs as elaborated, so that the oracle
   * checks the simplifier too; with its gradient, it runs the simplified gradient graph (the
   * gradient as derived carries every zero and broadcast of the chain rule).
   */
  public static final Backend GRAPH = (program, values, sizes, options) -> tensors(Interpreter.run(
      program.pipeline().differentiation().isPresent() ? program.through(Stage.SIMPLIFY).simplified() : program.elaborated(),
      arrays(values), context(sizes, options)));

  /** The program's scheduled kernels, run by the kernel interpreter. */
  public static final Backend FUSED = (program, values, sizes, options) -> tensors(KernelInterpreter.outputs(
      program.through(Stage.SCHEDULE).kernels(), arrays(values), context(sizes, options)));

  /** The fused kernels flattened to loops ({@link dev.adjoint.compiler.kernel.Flatten}), run by the kernel interpreter. */
  public static final Backend FLATTENED = (program, values, sizes, options) -> tensors(KernelInterpreter.outputs(
      program.through(Stage.SCHEDULE).kernels().flatten(), arrays(values), context(sizes, options)));

  private static EvalContext context(Map<String, Long> sizes, RunOptions options) {
    return new EvalContext(sizes, options.seed(), 0);
  }

  private static Map<String, DArray> arrays(Map<String, Tensor> values) {
    Map<String, DArray> out = new HashMap<>();
    values.forEach((name, t) -> out.put(name, DArray.of(t.dtype(), t.shapeArray(), t.toDoubles())));
    return out;
  }

  private static List<Tensor> tensors(List<DArray> arrays) {
    List<Tensor> out = new ArrayList<>();
    for (DArray d : arrays) out.add(Tensor.ofDoubles(d.dtype(), d.shape(), d.toArray()));
    return out;
  }
}
