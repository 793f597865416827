package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.diag.Span;
import java.util.List;
import java.util.Optional;

/**
 * One value of the graph: a primitive applied to input nodes. Built only by {@link GraphBuilder},
 * which interns them, so two nodes are equal exactly when they are the same object and a
 * subexpression written twice is computed once.
 */
public final class Node {
  private final int id;
  private final Op op;
  private final List<Node> inputs;
  private final TensorType type;
  private final Span origin;

  Node(int id, Op op, List<Node> inputs, TensorType type, Span origin) {
    this.id = id;
    this.op = op;
    this.inputs = List.copyOf(inputs);
    this.type = type;
    this.origin = origin;
  }

  /** Creation order within its builder: inputs always have smaller ids. */
  public int id() {
    return id;
  }

  public Op op() {
    return op;
  }

  public List<Node> inputs() {
    return inputs;
  }

  public Node input(int i) {
    return inputs.get(i);
  }

  public TensorType type() {
    return type;
  }

  /** The source text that first produced this node, for messages and generated comments. */
  public Optional<Span> origin() {
    return Optional.ofNullable(origin);
  }

  @Override
  public String toString() {
    return "%" + id + " = " + op.describe() + " : " + type;
  }
}
