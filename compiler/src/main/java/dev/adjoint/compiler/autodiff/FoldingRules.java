package dev.adjoint.compiler.autodiff;

import static dev.adjoint.compiler.autodiff.Patterns.splat;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.ir.Binary;
import dev.adjoint.compiler.ir.Broadcast;
import dev.adjoint.compiler.ir.Cast;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Reduce;
import dev.adjoint.compiler.ir.Reshape;
import dev.adjoint.compiler.ir.Select;
import dev.adjoint.compiler.ir.Transpose;
import dev.adjoint.compiler.ir.Unary;
import java.util.List;
import java.util.OptionalDouble;

/** Constant folding over splats (one value everywhere), with each op's own scalar semantics. */
final class FoldingRules {
  private FoldingRules() {}

  static final List<Rule> RULES = List.of(
      // f(c) -> f(c) evaluated, for elementwise f of one constant
      new Rule("fold unary", (n, e) -> {
        if (!(n.op() instanceof Unary u)) return null;
        OptionalDouble c = splat(n.input(0));
        return c.isPresent() ? full(e, u.fn().apply(c.getAsDouble()), n) : null;
      }),
      // c1 op c2 -> its value
      new Rule("fold binary", (n, e) -> {
        if (!(n.op() instanceof Binary b) || n.input(0).type().dtype() == dev.adjoint.runtime.DType.I32) return null;
        OptionalDouble x = splat(n.input(0));
        OptionalDouble y = splat(n.input(1));
        return x.isPresent() && y.isPresent() ? full(e, b.fn().apply(x.getAsDouble(), y.getAsDouble()), n) : null;
      }),
      // cast(c) -> c in the new type
      new Rule("fold cast", (n, e) -> {
        if (!(n.op() instanceof Cast)) return null;
        OptionalDouble c = splat(n.input(0));
        return c.isPresent() ? full(e, c.getAsDouble(), n) : null;
      }),
      // where(c, a, b) with a constant condition -> the branch
      new Rule("fold where", (n, e) -> {
        if (!(n.op() instanceof Select)) return null;
        OptionalDouble c = splat(n.input(0));
        return c.isPresent() ? (c.getAsDouble() != 0 ? n.input(1) : n.input(2)) : null;
      }),
      // reshape/transpose/broadcast of a splat -> a splat of the new shape
      new Rule("fold layout of a constant", (n, e) -> {
        boolean layout = n.op() instanceof Reshape || n.op() instanceof Transpose
            || (n.op() instanceof Broadcast && !(n.input(0).op() instanceof dev.adjoint.compiler.ir.Constant));
        OptionalDouble c = layout ? splat(n.input(0)) : OptionalDouble.empty();
        return c.isPresent() ? full(e, c.getAsDouble(), n) : null;
      }),
      // max/min of a splat -> the splat; sum of a splat -> value × count when the count is constant
      new Rule("fold reduction of a constant", (n, e) -> {
        if (!(n.op() instanceof Reduce r)) return null;
        OptionalDouble c = splat(n.input(0));
        if (c.isEmpty()) return null;
        var count = dev.adjoint.compiler.ir.Dim.of(1);
        for (int a : r.axes()) count = count.times(n.input(0).type().shape().dim(a));
        return switch (r.fn()) {
          case MAX, MIN -> count.isConstant() && count.constant() > 0 ? full(e, c.getAsDouble(), n) : null;
          case SUM -> c.getAsDouble() == 0 ? full(e, 0, n)
              : count.isConstant() ? full(e, c.getAsDouble() * count.constant(), n) : null;
          case PROD -> count.isConstant() ? full(e, Math.pow(c.getAsDouble(), count.constant()), n) : null;
        };
      }));

  private static Node full(dev.adjoint.compiler.ir.Emitter e, double value, Node like) {
    return e.full(DArray.round(like.type().dtype(), value), like.type());
  }
}
