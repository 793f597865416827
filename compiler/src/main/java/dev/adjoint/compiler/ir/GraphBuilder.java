package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.diag.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes nodes, interning them: asking twice for the same op over the same inputs returns the
 * first node (hash-consing, and so common-subexpression elimination for free). Each node's type
 * comes from its op's shape rule, so an ill-typed node cannot be built.
 */
public final class GraphBuilder {
  private record Key(Op op, List<Integer> inputs) {}

  private final Map<Key, Node> interned = new HashMap<>();
  private final List<Node> nodes = new ArrayList<>();
  private Span origin;

  /** The source span recorded on nodes made from now on (until changed). */
  public Span origin() {
    return origin;
  }

  public void setOrigin(Span span) {
    this.origin = span;
  }

  public Node add(Op op, List<Node> inputs) {
    List<Integer> ids = new ArrayList<>(inputs.size());
    for (Node n : inputs) ids.add(n.id());
    Key key = new Key(op, ids);
    Node existing = interned.get(key);
    if (existing != null) return existing;
    List<TensorType> types = new ArrayList<>(inputs.size());
    for (Node n : inputs) types.add(n.type());
    Node node = new Node(nodes.size(), op, inputs, op.type(types), origin);
    nodes.add(node);
    interned.put(key, node);
    return node;
  }

  public Node add(Op op, Node... inputs) {
    return add(op, List.of(inputs));
  }

  /** Every node made so far, in creation order. */
  public List<Node> nodes() {
    return List.copyOf(nodes);
  }
}
