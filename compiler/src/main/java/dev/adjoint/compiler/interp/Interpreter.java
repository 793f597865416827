package dev.adjoint.compiler.interp;

import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Input;
import dev.adjoint.compiler.ir.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference interpreter: evaluates a graph node by node with each op's own semantics. It is
 * the oracle every backend and every pass is tested against, so it favours obviousness over speed.
 */
public final class Interpreter {
  private Interpreter() {}

  /**
   * Evaluates the graph's outputs. {@code inputs} maps every argument and param name to its
   * value, already checked against the declared types by the caller.
   */
  public static List<DArray> run(Graph graph, Map<String, DArray> inputs, EvalContext context) {
    Map<Node, DArray> values = new IdentityHashMap<>();
    for (Node n : graph.topologicalOrder()) {
      DArray value;
      if (n.op() instanceof Input in) {
        value = inputs.get(in.name());
        if (value == null) throw new IllegalArgumentException("no value for '" + in.name() + "'");
      } else {
        List<DArray> args = new ArrayList<>(n.inputs().size());
        for (Node i : n.inputs()) args.add(values.get(i));
        int[] shape = n.type().shape().evaluate(context.sizes());
        value = n.op().evaluate(args, n.type().dtype(), shape, context);
      }
      values.put(n, value);
    }
    List<DArray> out = new ArrayList<>();
    for (Node o : graph.outputs()) out.add(values.get(o));
    return out;
  }

  /** Convenience for callers holding a name → value map of their own. */
  public static Map<String, DArray> byName(List<String> names, List<DArray> values) {
    Map<String, DArray> m = new HashMap<>();
    for (int i = 0; i < names.size(); i++) m.put(names.get(i), values.get(i));
    return m;
  }
}
