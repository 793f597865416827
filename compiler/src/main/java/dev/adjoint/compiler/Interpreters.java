package dev.adjoint.compiler;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.compiler.interp.Interpreter;
import dev.adjoint.compiler.kernel.KernelInterpreter;
import dev.adjoint.compiler.lower.Fusion;
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

  /** The oracle: the graph, node by node. */
  public static final Backend GRAPH = (graph, values, sizes, options) ->
      tensors(Interpreter.run(graph, arrays(values), context(sizes, options)));

  /** The graph fused and lowered to kernel IR, run by the kernel interpreter. */
  public static final Backend FUSED = (graph, values, sizes, options) ->
      tensors(KernelInterpreter.outputs(Fusion.lower(graph), arrays(values), context(sizes, options)));

  /** The fused kernels flattened to loops ({@link dev.adjoint.compiler.kernel.Flatten}), run by the kernel interpreter. */
  public static final Backend FLATTENED = (graph, values, sizes, options) ->
      tensors(KernelInterpreter.outputs(Fusion.lower(graph).flatten(), arrays(values), context(sizes, options)));

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
