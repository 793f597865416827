package dev.adjoint.compiler.interp;

import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Input;
import dev.adjoint.compiler.ir.Node;
import java.util.ArrayList;
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
        try {
          value = n.op().evaluate(args, n.type().dtype(), shape, context);
        } catch (IllegalArgumentException | ArithmeticException e) {
          // Data-dependent failures (an id outside its table, an integer division by zero) are the
          // inputs' fault: say where in the program they happened.
          String where = n.origin().filter(s -> s.file().length() > 0).map(s -> s + ": ").orElse("");
          throw new EvaluationException(where + e.getMessage() + " (in " + n.op().describe() + ")");
        }
      }
      values.put(n, value);
    }
    List<DArray> out = new ArrayList<>();
    for (Node o : graph.outputs()) out.add(values.get(o));
    return out;
  }
}
