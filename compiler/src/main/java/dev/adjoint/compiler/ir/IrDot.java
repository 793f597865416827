package dev.adjoint.compiler.ir;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Renders a graph in Graphviz DOT: inputs as boxes, ops as ellipses, results double-circled. */
public final class IrDot {
  private IrDot() {}

  public static String print(Graph graph) {
    List<Node> order = graph.topologicalOrder();
    Map<Node, Integer> number = new HashMap<>();
    for (Node n : order) number.put(n, number.size());
    StringBuilder out = new StringBuilder();
    out.append("digraph ").append(quote(graph.name())).append(" {\n");
    out.append("  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=10];\n");
    for (Node n : order) {
      String shape = n.op() instanceof Input ? "box" : graph.outputs().contains(n) ? "doubleoctagon" : "ellipse";
      out.append("  n").append(number.get(n)).append(" [shape=").append(shape).append(", label=")
          .append(quote("%" + number.get(n) + " " + n.op().describe() + "\n" + n.type())).append("];\n");
    }
    for (Node n : order) {
      for (Node in : n.inputs()) {
        out.append("  n").append(number.get(in)).append(" -> n").append(number.get(n)).append(";\n");
      }
    }
    out.append("}\n");
    return out.toString();
  }

  /** A DOT string literal: quotes and backslashes escaped, newlines as \n. */
  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}
