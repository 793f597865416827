package dev.adjoint.compiler.autodiff;

import dev.adjoint.compiler.ir.Emitter;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.GraphBuilder;
import dev.adjoint.compiler.ir.Node;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A named list of rules run over a graph to a fixed point. Each sweep rebuilds the graph in a new
 * builder — which interns, so it is also common-subexpression elimination — and keeps only what
 * the outputs reach, which is dead-code elimination.
 */
public record RewritePass(String name, List<Rule> rules) {
  private static final int MAX_SWEEPS = 32;
  private static final int MAX_REWRITES_PER_NODE = 64;

  public RewritePass {
    Objects.requireNonNull(name, "name");
    rules = List.copyOf(rules);
  }

  public Graph run(Graph graph) {
    Graph current = graph;
    for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
      Graph next = sweep(current);
      if (next.topologicalOrder().size() == current.topologicalOrder().size()
          && dev.adjoint.compiler.ir.IrPrinter.print(next).equals(dev.adjoint.compiler.ir.IrPrinter.print(current))) {
        return next;
      }
      current = next;
    }
    return current;
  }

  /** One rebuild with every rule tried at every node. */
  Graph sweep(Graph graph) {
    GraphBuilder builder = new GraphBuilder();
    Emitter e = new Emitter(builder);
    Map<Node, Node> mapped = new IdentityHashMap<>();
    for (Node n : graph.topologicalOrder()) {
      List<Node> inputs = new ArrayList<>();
      for (Node i : n.inputs()) inputs.add(mapped.get(i));
      builder.setOrigin(n.origin().orElse(null));
      Node built = builder.add(n.op(), inputs);
      mapped.put(n, rewrite(built, e));
    }
    return new Graph(graph.name(), map(graph.arguments(), mapped), map(graph.params(), mapped), map(graph.outputs(), mapped),
        graph.donated());
  }

  private Node rewrite(Node n, Emitter e) {
    for (int count = 0; count < MAX_REWRITES_PER_NODE; count++) {
      Node replaced = null;
      for (Rule r : rules) {
        Node out = r.rewrite().apply(n, e);
        if (out != null && out != n) {
          if (!out.type().equals(n.type())) {
            throw new IllegalStateException("rule '" + r.name() + "' changed the type of " + n + " to " + out.type());
          }
          replaced = out;
          break;
        }
      }
      if (replaced == null) return n;
      n = replaced;
    }
    return n;
  }

  private static List<Node> map(List<Node> nodes, Map<Node, Node> mapped) {
    List<Node> out = new ArrayList<>();
    for (Node n : nodes) out.add(mapped.get(n));
    return out;
  }
}
