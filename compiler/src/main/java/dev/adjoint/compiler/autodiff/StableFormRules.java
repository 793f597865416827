package dev.adjoint.compiler.autodiff;

import static dev.adjoint.compiler.autodiff.Patterns.isBinary;
import static dev.adjoint.compiler.autodiff.Patterns.isUnary;

import dev.adjoint.compiler.ir.Binary;
import dev.adjoint.compiler.ir.Broadcast;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Reduce;
import dev.adjoint.compiler.ir.Reshape;
import dev.adjoint.compiler.ir.Shape;
import dev.adjoint.compiler.ir.StopGradient;
import dev.adjoint.compiler.ir.Unary;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites into numerically stable forms. Together, the first three turn
 * {@code log(softmax(x))} — {@code log(e / broadcast(sum(e)))} with {@code e = exp(x - m)} — into
 * {@code log_softmax(x)}: {@code (x - m) - broadcast(log(sum(e)))}; the last guards a bare
 * log-sum-exp against overflow.
 */
final class StableFormRules {
  private StableFormRules() {}

  static final List<Rule> RULES = List.of(
      // log(exp(x)) -> x
      new Rule("log(exp(x)) -> x", (n, e) -> isUnary(n, Unary.Fn.LOG) && isUnary(n.input(0), Unary.Fn.EXP)
          ? n.input(0).input(0) : null),
      // log(exp(a) / b) -> a - log(b)
      new Rule("log(exp(a) / b) -> a - log(b)", (n, e) -> isUnary(n, Unary.Fn.LOG) && isBinary(n.input(0), Binary.Fn.DIV)
          && isUnary(n.input(0).input(0), Unary.Fn.EXP)
          ? e.sub(n.input(0).input(0).input(0), e.unary(Unary.Fn.LOG, n.input(0).input(1))) : null),
      // log(broadcast(x)) -> broadcast(log(x)), and through a reshape: fewer logs
      new Rule("log(broadcast(x)) -> broadcast(log(x))", (n, e) -> {
        if (!isUnary(n, Unary.Fn.LOG)) return null;
        Node inner = n.input(0);
        if (inner.op() instanceof Broadcast || inner.op() instanceof Reshape) {
          return e.node(inner.op(), e.unary(Unary.Fn.LOG, inner.input(0)));
        }
        return null;
      }),
      // log(sum(exp(x))) -> m + log(sum(exp(x - m))), m = max(x) (0 where infinite), unless x is already shifted
      new Rule("log(sum(exp(x))) -> max-shifted log-sum-exp", (n, e) -> {
        if (!isUnary(n, Unary.Fn.LOG) || !(n.input(0).op() instanceof Reduce r) || r.fn() != Reduce.Fn.SUM
            || !isUnary(n.input(0).input(0), Unary.Fn.EXP)) {
          return null;
        }
        Node x = n.input(0).input(0).input(0);
        if (isShifted(x)) return null;
        Node m = e.node(new StopGradient(), e.reduce(Reduce.Fn.MAX, x, r.axes()));
        Node inf = e.fullLike(Double.POSITIVE_INFINITY, m);
        Node safe = e.select(e.binary(Binary.Fn.EQ, e.unary(Unary.Fn.ABS, m), inf), e.fullLike(0, m), m);
        List<Dim> kept = new ArrayList<>(x.type().shape().dims());
        for (int a : r.axes()) kept.set(a, Dim.of(1));
        Node spread = e.broadcast(e.reshape(safe, Shape.of(kept)), x.type().shape());
        Node sum = e.reduce(Reduce.Fn.SUM, e.unary(Unary.Fn.EXP, e.sub(x, spread)), r.axes());
        return e.add(safe, e.unary(Unary.Fn.LOG, sum));
      }));

  /** x - broadcast(…max(…)…): the shift the prelude's softmax already applies. */
  private static boolean isShifted(Node x) {
    if (!isBinary(x, Binary.Fn.SUB)) return false;
    Node m = x.input(1);
    while (true) {
      if (m.op() instanceof Broadcast || m.op() instanceof Reshape || m.op() instanceof StopGradient) m = m.input(0);
      else if (m.op() instanceof dev.adjoint.compiler.ir.Select) m = m.input(2); // where(|m| == inf, 0, m)
      else break;
    }
    return m.op() instanceof Reduce r && r.fn() == Reduce.Fn.MAX;
  }
}
