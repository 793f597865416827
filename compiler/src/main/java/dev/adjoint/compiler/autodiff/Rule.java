package dev.adjoint.compiler.autodiff;

import dev.adjoint.compiler.ir.Emitter;
import dev.adjoint.compiler.ir.Node;
import java.util.Objects;

/**
 * One rewrite: given a node (already built over simplified inputs), a replacement or null. The
 * name is what the rule does, as in {@code "x * 1 -> x"}.
 */
public record Rule(String name, Rewrite rewrite) {
  /** The rewrite of a rule. */
  @FunctionalInterface
  public interface Rewrite {
    Node apply(Node n, Emitter e);
  }

  public Rule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(rewrite, "rewrite");
  }

  @Override
  public String toString() {
    return name;
  }
}
