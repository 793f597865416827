package dev.adjoint.compiler.autodiff;

import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.IrPrinter;
import java.util.List;

/**
 * Simplification after differentiation: named rule lists, each run to a fixed point, repeated
 * until none changes the graph. Every sweep also does CSE (interning) and DCE (rebuilding from
 * the outputs).
 */
public final class Simplifier {
  public static final List<RewritePass> PASSES = List.of(
      new RewritePass("fold-constants", FoldingRules.RULES),
      new RewritePass("algebra", AlgebraicRules.RULES),
      new RewritePass("shapes", ShapeRules.RULES),
      new RewritePass("stable-forms", StableFormRules.RULES),
      new RewritePass("contractions", ContractionRules.RULES));

  private Simplifier() {}

  public static Graph simplify(Graph graph) {
    Graph current = graph;
    for (int round = 0; round < 16; round++) {
      String before = IrPrinter.print(current);
      for (RewritePass pass : PASSES) current = pass.run(current);
      if (IrPrinter.print(current).equals(before)) return current;
    }
    return current;
  }
}
