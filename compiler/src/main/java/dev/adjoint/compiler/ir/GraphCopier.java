package dev.adjoint.compiler.ir;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies nodes of one graph into a builder (memoised, so shared subexpressions stay shared), the
 * first step of every graph → graph transform.
 */
public final class GraphCopier {
  private final GraphBuilder target;
  private final Map<Node, Node> copies = new IdentityHashMap<>();

  public GraphCopier(GraphBuilder target) {
    this.target = target;
  }

  /** The copy of {@code n} in the target builder. */
  public Node copy(Node n) {
    Node done = copies.get(n);
    if (done != null) return done;
    // Inputs are older than users, so copying in id order never recurses deeply.
    List<Node> order = new ArrayList<>();
    collect(n, order);
    for (Node m : order) {
      if (copies.containsKey(m)) continue;
      List<Node> inputs = new ArrayList<>();
      for (Node i : m.inputs()) inputs.add(copies.get(i));
      target.setOrigin(m.origin().orElse(null));
      copies.put(m, target.add(m.op(), inputs));
    }
    return copies.get(n);
  }

  private void collect(Node root, List<Node> order) {
    java.util.Deque<Node> stack = new java.util.ArrayDeque<>();
    java.util.Set<Node> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    stack.push(root);
    while (!stack.isEmpty()) {
      Node n = stack.pop();
      if (copies.containsKey(n) || !seen.add(n)) continue;
      order.add(n);
      for (Node i : n.inputs()) stack.push(i);
    }
    order.sort((a, b) -> Integer.compare(a.id(), b.id()));
  }

  public List<Node> copyAll(List<Node> nodes) {
    List<Node> out = new ArrayList<>();
    for (Node n : nodes) out.add(copy(n));
    return out;
  }

  /** The whole graph, copied. */
  public Graph copy(Graph g) {
    return new Graph(g.name(), copyAll(g.arguments()), copyAll(g.params()), copyAll(g.outputs()), g.donated());
  }
}
