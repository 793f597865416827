package dev.adjoint.compiler.autodiff;

import dev.adjoint.compiler.ir.Binary;
import dev.adjoint.compiler.ir.Broadcast;
import dev.adjoint.compiler.ir.Constant;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Unary;
import java.util.OptionalDouble;

/** Small matchers the rules share. */
final class Patterns {
  private Patterns() {}

  /** The value of a node that is one constant everywhere (a constant, or one broadcast). */
  static OptionalDouble splat(Node n) {
    if (n.op() instanceof Constant c) return OptionalDouble.of(c.value());
    if (n.op() instanceof Broadcast && n.input(0).op() instanceof Constant c) return OptionalDouble.of(c.value());
    return OptionalDouble.empty();
  }

  static boolean isSplat(Node n, double value) {
    OptionalDouble v = splat(n);
    return v.isPresent() && Double.compare(v.getAsDouble(), value) == 0
        || (v.isPresent() && value == 0 && v.getAsDouble() == 0);
  }

  static boolean isBinary(Node n, Binary.Fn fn) {
    return n.op() instanceof Binary b && b.fn() == fn;
  }

  static boolean isUnary(Node n, Unary.Fn fn) {
    return n.op() instanceof Unary u && u.fn() == fn;
  }
}
