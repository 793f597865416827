package dev.adjoint.compiler.ir;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Prints a graph as stable, readable text: one line per distinct node, numbered in topological
 * order, with its type and the source line it came from.
 *
 * <pre>
 * graph SelfAttention.forward(x: f32[B, T, 64]) -> f32[B, T, 64]
 *   %0 = input x : f32[B, T, 64]
 *   %1 = param wq : f32[64, 64]
 *   %2 = dot_general batch=[]/[] contract=[2]/[0] %0, %1 : f32[B, T, 64]   # attention.adj:18
 *   return %2
 * </pre>
 */
public final class IrPrinter {
  private IrPrinter() {}

  public static String print(Graph graph) {
    List<Node> order = graph.topologicalOrder();
    Map<Node, Integer> number = new HashMap<>();
    for (Node n : order) number.put(n, number.size());
    StringBuilder out = new StringBuilder();
    out.append("graph ").append(graph.name()).append('(');
    StringJoiner args = new StringJoiner(", ");
    for (Node a : graph.arguments()) {
      String name = Graph.paramName(a);
      args.add(name + ": " + (graph.donated().contains(name) ? "donate " : "") + a.type());
    }
    out.append(args).append(") -> ");
    StringJoiner results = new StringJoiner(", ", graph.outputs().size() == 1 ? "" : "(",
        graph.outputs().size() == 1 ? "" : ")");
    for (Node o : graph.outputs()) results.add(o.type().toString());
    out.append(results).append('\n');
    for (Node n : order) {
      StringBuilder line = new StringBuilder("  %").append(number.get(n)).append(" = ").append(n.op().describe());
      for (int i = 0; i < n.inputs().size(); i++) {
        line.append(i == 0 ? " " : ", ").append('%').append(number.get(n.input(i)));
      }
      line.append(" : ").append(n.type());
      n.origin().filter(s -> s.file().length() > 0)
          .ifPresent(s -> line.append("   # ").append(fileName(s.file().path())).append(':').append(s.line()));
      out.append(line).append('\n');
    }
    StringJoiner returned = new StringJoiner(", ");
    for (Node o : graph.outputs()) returned.add("%" + number.get(o));
    out.append("  return ").append(returned).append('\n');
    return out.toString();
  }

  static String fileName(String path) {
    int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    return path.substring(slash + 1);
  }
}
