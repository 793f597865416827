package dev.adjoint.train;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.runtime.Tensor;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The run-time checks {@link Compilation#run} makes before a backend runs, for programs compiled
 * once and run on many batches: each new set of sizes (B, S, T, bound from the arguments' shapes)
 * is checked against the graph's slices ({@link Compilation#checkSliceBounds}), so that a
 * sequence longer than a learned-position table is a message rather than an index out of bounds
 * in generated code.
 */
final class SizeCheck {
  private final Graph graph;
  private final Set<Map<String, Long>> checked = new HashSet<>();

  SizeCheck(Graph graph) {
    this.graph = graph;
  }

  /** Checks the sizes that {@code inputs} bind, unless they were checked before. */
  void check(Map<String, Tensor> inputs) {
    Map<String, Long> sizes = new TreeMap<>();
    for (Node a : graph.arguments()) {
      Tensor t = inputs.get(Graph.paramName(a));
      if (t == null) continue;
      List<Dim> dims = a.type().shape().dims();
      for (int i = 0; i < dims.size() && i < t.rank(); i++) {
        List<String> symbols = dims.get(i).symbols();
        if (symbols.size() == 1 && dims.get(i).equals(Dim.symbol(symbols.get(0)))) sizes.put(symbols.get(0), (long) t.dim(i));
      }
    }
    if (checked.add(sizes)) Compilation.checkSliceBounds(graph, sizes);
  }
}
