package dev.adjoint.compiler.autodiff;

import dev.adjoint.compiler.ir.Emitter;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.GraphBuilder;
import dev.adjoint.compiler.ir.GraphCopier;
import dev.adjoint.compiler.ir.Input;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.ShapeError;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode differentiation as a graph → graph transform: walk the forward graph in reverse
 * topological order, ask each node's op for its vector–Jacobian product, and sum the cotangents
 * arriving at each node. The result is one graph holding the forward outputs and the gradients,
 * sharing forward nodes (the backward reads forward values rather than recomputing them), so it
 * can be printed, simplified, differentiated again and compiled like any other.
 */
public final class ReverseMode {
  private ReverseMode() {}

  /**
   * Differentiates {@code forward}'s outputs with respect to {@code wrt} (input nodes of the
   * graph). The gradient graph takes one extra argument per output, its cotangent, named
   * {@code cotangent} or {@code cotangent_0}, {@code cotangent_1}, …, unless {@code seedWithOnes},
   * in which case every cotangent is ones (as {@code y.sum().backward()}). Its outputs are the
   * forward outputs followed by one gradient per {@code wrt} node, in order.
   */
  public static Graph gradient(Graph forward, List<Node> wrt, boolean seedWithOnes) {
    for (Node w : wrt) {
      if (!(w.op() instanceof Input)) throw new IllegalArgumentException("can only differentiate with respect to inputs, not " + w);
      if (!w.type().dtype().isFloating()) {
        throw new GradientException("cannot differentiate with respect to '" + Graph.paramName(w) + "' of type "
            + w.type() + ": only floating-point inputs have gradients");
      }
    }
    List<Node> outputs = forward.outputs();
    for (int i = 0; i < outputs.size(); i++) {
      if (!outputs.get(i).type().dtype().isFloating()) {
        throw new GradientException("cannot differentiate " + forward.name() + ": its "
            + (outputs.size() == 1 ? "output" : "output " + i) + " is " + outputs.get(i).type()
            + ", and only floating-point outputs have gradients");
      }
    }
    GraphBuilder builder = new GraphBuilder();
    GraphCopier copier = new GraphCopier(builder);
    Graph fwd = copier.copy(forward);
    Emitter e = new Emitter(builder);
    List<Node> wrtCopies = copier.copyAll(wrt);

    List<Node> cotangentInputs = new ArrayList<>();
    Map<Node, Node> cotangent = new IdentityHashMap<>();
    for (int i = 0; i < fwd.outputs().size(); i++) {
      Node out = fwd.outputs().get(i);
      Node seed;
      if (seedWithOnes) {
        seed = e.fullLike(1, out);
      } else {
        String name = fwd.outputs().size() == 1 ? "cotangent" : "cotangent_" + i;
        seed = builder.add(new Input(name, Input.Kind.ARGUMENT, out.type()));
        cotangentInputs.add(seed);
      }
      accumulate(cotangent, out, seed, e);
    }

    Set<Node> relevant = relevant(fwd, wrtCopies);
    List<Node> order = new ArrayList<>(fwd.topologicalOrder());
    Collections.reverse(order);
    for (Node n : order) {
      Node g = cotangent.get(n);
      if (g == null || n.inputs().isEmpty() || !relevant.contains(n)) continue;
      List<Node> parts;
      builder.setOrigin(n.origin().orElse(null));
      try {
        parts = n.op().vjp(n, g, e);
      } catch (ShapeError err) {
        throw new IllegalStateException("derivative rule of " + n.op().describe() + " built a bad node: " + err.getMessage(), err);
      }
      if (parts.size() != n.inputs().size()) {
        throw new IllegalStateException("derivative rule of " + n.op().describe() + " gave " + parts.size()
            + " cotangents for " + n.inputs().size() + " inputs");
      }
      for (int i = 0; i < parts.size(); i++) {
        Node in = n.input(i);
        Node part = parts.get(i);
        if (part == null || !relevant.contains(in) || !in.type().dtype().isFloating()) continue;
        if (!part.type().equals(in.type())) {
          throw new IllegalStateException("derivative rule of " + n.op().describe() + " gave a cotangent of type "
              + part.type() + " for an input of type " + in.type());
        }
        accumulate(cotangent, in, part, e);
      }
    }
    builder.setOrigin(null);
    List<Node> results = new ArrayList<>(fwd.outputs());
    for (Node w : wrtCopies) {
      Node g = cotangent.get(w);
      results.add(g != null ? g : e.full(0, w.type()));
    }
    List<Node> arguments = new ArrayList<>(fwd.arguments());
    arguments.addAll(cotangentInputs);
    return new Graph("grad " + forward.name(), arguments, fwd.params(), results);
  }

  private static void accumulate(Map<Node, Node> cotangent, Node at, Node part, Emitter e) {
    Node previous = cotangent.get(at);
    cotangent.put(at, previous == null ? part : e.add(previous, part));
  }

  /** Nodes on some path from a {@code wrt} input to an output: the only ones worth a cotangent. */
  private static Set<Node> relevant(Graph g, List<Node> wrt) {
    Set<Node> dependsOnWrt = Collections.newSetFromMap(new IdentityHashMap<>());
    dependsOnWrt.addAll(wrt);
    for (Node n : g.topologicalOrder()) {
      for (Node i : n.inputs()) {
        if (dependsOnWrt.contains(i)) {
          dependsOnWrt.add(n);
          break;
        }
      }
    }
    return dependsOnWrt;
  }
}
