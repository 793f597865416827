package dev.adjoint.compiler.fusion;

import dev.adjoint.compiler.ir.Node;
import java.util.List;
import java.util.Objects;

/**
 * Nodes that become one kernel: its results ({@code outputs}, the first being the one whose shape
 * sets the kernel's loops) and the nodes computed on the way without being stored
 * ({@code inlined}). The first result is stored unless {@code primaryStored} is false — when only
 * the other results are needed (a loss summed over its elements). {@code kind} names the
 * structure that was found.
 */
public record Group(String kind, List<Node> outputs, List<Node> inlined, boolean primaryStored) {
  public Group {
    Objects.requireNonNull(kind, "kind");
    outputs = List.copyOf(outputs);
    inlined = List.copyOf(inlined);
    if (outputs.isEmpty()) throw new IllegalArgumentException("a group has at least one result");
    if (!primaryStored && outputs.size() < 2) throw new IllegalArgumentException("a group stores at least one result");
  }

  public Group(String kind, List<Node> outputs, List<Node> inlined) {
    this(kind, outputs, inlined, true);
  }

  /** The results written to memory. */
  public List<Node> stored() {
    return primaryStored ? outputs : outputs.subList(1, outputs.size());
  }

  public Node primary() {
    return outputs.get(0);
  }
}
