package dev.adjoint.compiler.fusion;

import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import java.util.List;
import java.util.Set;

/** A graph partitioned into groups, in an order that respects their dependencies. */
public record FusionPlan(Graph graph, Set<Node> materialized, List<Group> groups) {
  public FusionPlan {
    materialized = Set.copyOf(materialized);
    groups = List.copyOf(groups);
  }
}
