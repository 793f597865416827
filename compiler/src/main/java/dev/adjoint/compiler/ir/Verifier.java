package dev.adjoint.compiler.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks a graph's invariants: every node's type is what its op's shape rule gives for its
 * inputs' types, inputs come before users,. Run
 * after every pass in tests.
 */
public final class Verifier {
  private Verifier() {}

  /** The problems found, empty when the graph is well formed. */
  public static List<String> check(Graph graph) {
    List<String> problems = new ArrayList<>();
    for (Node n : graph.topologicalOrder()) {
      List<TensorType> in = new ArrayList<>();
      for (Node i : n.inputs()) {
        in.add(i.type());
        if (i.id() >= n.id()) problems.add(n + ": input " + i + " is not older than its user");
      }
      try {
        TensorType expected = n.op().type(in);
        if (!expected.equals(n.type())) {
          problems.add(n + ": shape rule gives " + expected);
        }
      } catch (ShapeError e) {
        problems.add(n + ": " + e.getMessage());
      }
    }
    return problems;
  }

  public static void verify(Graph graph) {
    List<String> problems = check(graph);
    if (!problems.isEmpty()) {
      throw new IllegalStateException("malformed graph " + graph.name() + ":\n  " + String.join("\n  ", problems));
    }
  }
}
