package dev.adjoint.compiler.fusion;

import dev.adjoint.compiler.ir.Node;
import java.util.List;
import java.util.Objects;

/**
 * Nodes that become one kernel: the results it stores ({@code outputs}, the first being the one
 * whose shape sets the kernel's loops) and the nodes computed on the way without being stored
 * ({@code inlined}). {@code kind} names the structure that was found.
 */
public record Group(String kind, List<Node> outputs, List<Node> inlined) {
  public Group {
    Objects.requireNonNull(kind, "kind");
    outputs = List.copyOf(outputs);
    inlined = List.copyOf(inlined);
    if (outputs.isEmpty()) throw new IllegalArgumentException("a group stores at least one result");
  }

  public Node primary() {
    return outputs.get(0);
  }
}
