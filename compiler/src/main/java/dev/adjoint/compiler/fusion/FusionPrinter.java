package dev.adjoint.compiler.fusion;

import dev.adjoint.compiler.ir.Node;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Prints a fusion plan as stable text: one line per group, in order, with its kind, its results
 * and the nodes it computes without storing them, numbered as {@link dev.adjoint.compiler.ir.IrPrinter}
 * numbers the plan's graph.
 *
 * <pre>
 * fusion Tiny.forward: 2 groups
 *   g0 contraction: results %3; inlined %2
 *   g1 reduction: results %5 (not stored), %6; inlined %4
 * </pre>
 */
public final class FusionPrinter {
  private FusionPrinter() {}

  public static String print(FusionPlan plan) {
    Map<Node, Integer> number = new HashMap<>();
    for (Node n : plan.graph().topologicalOrder()) number.put(n, number.size());
    StringBuilder out = new StringBuilder();
    out.append("fusion ").append(plan.graph().name()).append(": ").append(plan.groups().size())
        .append(plan.groups().size() == 1 ? " group" : " groups").append('\n');
    for (int g = 0; g < plan.groups().size(); g++) {
      Group group = plan.groups().get(g);
      StringJoiner results = new StringJoiner(", ");
      for (int i = 0; i < group.outputs().size(); i++) {
        results.add(ref(group.outputs().get(i), number) + (i == 0 && !group.primaryStored() ? " (not stored)" : ""));
      }
      out.append("  g").append(g).append(' ').append(group.kind()).append(": results ").append(results);
      List<Node> inlined = group.inlined().stream().sorted((a, b) -> number.get(a) - number.get(b)).toList();
      if (!inlined.isEmpty()) {
        StringJoiner computed = new StringJoiner(", ");
        for (Node n : inlined) computed.add(ref(n, number));
        out.append("; inlined ").append(computed);
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static String ref(Node n, Map<Node, Integer> number) {
    Integer i = number.get(n);
    return i == null ? "?" + n : "%" + i;
  }
}
