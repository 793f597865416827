package dev.adjoint.compiler.autodiff;

import static dev.adjoint.compiler.autodiff.Patterns.isBinary;
import static dev.adjoint.compiler.autodiff.Patterns.isSplat;
import static dev.adjoint.compiler.autodiff.Patterns.isUnary;

import dev.adjoint.compiler.ir.Binary;
import dev.adjoint.compiler.ir.Select;
import dev.adjoint.compiler.ir.StopGradient;
import dev.adjoint.compiler.ir.Unary;
import java.util.List;

/**
 * Identities of arithmetic. Multiplying by zero folds to zero even where the other factor might
 * be infinite or NaN (as XLA and TVM do): gradients are full of such zeros, and keeping them
 * would keep every dead branch alive.
 */
final class AlgebraicRules {
  private AlgebraicRules() {}

  static final List<Rule> RULES = List.of(
      // x + 0 -> x, 0 + x -> x
      new Rule("x + 0 -> x", (n, e) -> isBinary(n, Binary.Fn.ADD)
          ? isSplat(n.input(1), 0) ? n.input(0) : isSplat(n.input(0), 0) ? n.input(1) : null : null),
      // x - 0 -> x
      new Rule("x - 0 -> x", (n, e) -> isBinary(n, Binary.Fn.SUB) && isSplat(n.input(1), 0) ? n.input(0) : null),
      // 0 - x -> -x
      new Rule("0 - x -> -x", (n, e) -> isBinary(n, Binary.Fn.SUB) && isSplat(n.input(0), 0) ? e.neg(n.input(1)) : null),
      // x - x -> 0 is not applied: inf - inf is NaN, and the case does not arise in gradients.
      // x * 1 -> x, 1 * x -> x
      new Rule("x * 1 -> x", (n, e) -> isBinary(n, Binary.Fn.MUL)
          ? isSplat(n.input(1), 1) ? n.input(0) : isSplat(n.input(0), 1) ? n.input(1) : null : null),
      // x * 0 -> 0, 0 * x -> 0: zero propagation
      new Rule("x * 0 -> 0", (n, e) -> isBinary(n, Binary.Fn.MUL) && (isSplat(n.input(0), 0) || isSplat(n.input(1), 0))
          ? e.fullLike(0, n) : null),
      // x * -1 -> -x
      new Rule("x * -1 -> -x", (n, e) -> isBinary(n, Binary.Fn.MUL)
          ? isSplat(n.input(1), -1) ? e.neg(n.input(0)) : isSplat(n.input(0), -1) ? e.neg(n.input(1)) : null : null),
      // x / 1 -> x
      new Rule("x / 1 -> x", (n, e) -> isBinary(n, Binary.Fn.DIV) && isSplat(n.input(1), 1) ? n.input(0) : null),
      // 0 / x -> 0
      new Rule("0 / x -> 0", (n, e) -> isBinary(n, Binary.Fn.DIV) && isSplat(n.input(0), 0)
          && n.type().dtype().isFloating() ? e.fullLike(0, n) : null),
      // x ^ 1 -> x (floats: ints keep intPow's checks)
      new Rule("x ^ 1 -> x", (n, e) -> isBinary(n, Binary.Fn.POW) && n.type().dtype().isFloating()
          && isSplat(n.input(1), 1) ? n.input(0) : null),
      // x ^ 2 -> x * x: the same bits (the square of a float is exact in a double, and pow's
      // intrinsic squares doubles), and a multiply instead of a call in every backend
      new Rule("x ^ 2 -> x * x", (n, e) -> isBinary(n, Binary.Fn.POW) && n.type().dtype().isFloating()
          && isSplat(n.input(1), 2) ? e.mul(n.input(0), n.input(0)) : null),
      // -(-x) -> x
      new Rule("-(-x) -> x", (n, e) -> isUnary(n, Unary.Fn.NEG) && isUnary(n.input(0), Unary.Fn.NEG) ? n.input(0).input(0) : null),
      // a + (-b) -> a - b
      new Rule("a + (-b) -> a - b", (n, e) -> isBinary(n, Binary.Fn.ADD) && isUnary(n.input(1), Unary.Fn.NEG)
          ? e.sub(n.input(0), n.input(1).input(0)) : null),
      // a - (-b) -> a + b
      new Rule("a - (-b) -> a + b", (n, e) -> isBinary(n, Binary.Fn.SUB) && isUnary(n.input(1), Unary.Fn.NEG)
          ? e.add(n.input(0), n.input(1).input(0)) : null),
      // where(c, x, x) -> x
      new Rule("where(c, x, x) -> x", (n, e) -> n.op() instanceof Select && n.input(1) == n.input(2) ? n.input(1) : null),
      // where(c, 0, 0) -> 0 (both branches zero, possibly different zero nodes)
      new Rule("where(c, 0, 0) -> 0", (n, e) -> n.op() instanceof Select && isSplat(n.input(1), 0) && isSplat(n.input(2), 0)
          ? e.fullLike(0, n) : null),
      // (where(c, g, 0)) * y pushes no further; kept for fusion to see.
      // stop_gradient(x) -> x once gradients have been taken
      new Rule("stop_gradient(x) -> x", (n, e) -> n.op() instanceof StopGradient ? n.input(0) : null));
}
