package dev.adjoint.compiler.pipeline;

import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the grad stage differentiates: the forward graph's outputs with respect to the input nodes
 * {@code wrt} picks from it, each output seeded with ones (as {@code y.sum().backward()}) or, when
 * {@code seedWithOnes} is false, with a cotangent argument of its own ({@code cotangent}, or
 * {@code cotangent_0}, {@code cotangent_1}, …).
 */
public record Gradient(WithRespectTo wrt, boolean seedWithOnes) {
  /** Picks the nodes to differentiate with respect to from the forward graph. */
  @FunctionalInterface
  public interface WithRespectTo {
    List<Node> select(Graph forward);
  }

  /**
   * Every floating-point argument, then every param: what the CLI, training and generated models
   * take gradients with respect to, in the order the gradient graph returns them.
   */
  public static final WithRespectTo FLOATING_INPUTS = forward -> {
    List<Node> wrt = new ArrayList<>();
    for (Node a : forward.arguments()) if (a.type().dtype().isFloating()) wrt.add(a);
    wrt.addAll(forward.params());
    return wrt;
  };

  public Gradient {
    Objects.requireNonNull(wrt, "wrt");
  }

  /** With respect to the {@link #FLOATING_INPUTS}, seeded with ones. */
  public static Gradient ofOnes() {
    return new Gradient(FLOATING_INPUTS, true);
  }

  /** With respect to the {@link #FLOATING_INPUTS}, seeded with a cotangent argument per output. */
  public static Gradient withCotangent() {
    return new Gradient(FLOATING_INPUTS, false);
  }

  /** With respect to these nodes of the graph the pipeline will start from. */
  public static Gradient of(List<Node> wrt, boolean seedWithOnes) {
    List<Node> nodes = List.copyOf(wrt);
    return new Gradient(forward -> nodes, seedWithOnes);
  }
}
