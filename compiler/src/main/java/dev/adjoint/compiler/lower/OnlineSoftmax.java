package dev.adjoint.compiler.lower;

import dev.adjoint.compiler.ir.Binary;
import dev.adjoint.compiler.ir.Broadcast;
import dev.adjoint.compiler.ir.DotGeneral;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Reduce;
import dev.adjoint.compiler.ir.Reshape;
import dev.adjoint.compiler.ir.Unary;
import java.util.List;

/**
 * Recognises a softmax feeding a contraction over the softmax's own axis —
 * {@code (exp(a - max(a)) / sum(exp(a - max(a)))) · v}, however it was written — so the kernel can
 * run it as one pass with a running maximum and sum (the "online softmax" of flash attention)
 * instead of three passes over the row.
 */
final class OnlineSoftmax {
  /**
   * The parts: scores {@code a}, row maximum {@code m}, row sum {@code l}, and, when the
   * probabilities pass through dropout first ({@code where(keep, p / q, 0)}), the keep condition and
   * the factor kept probabilities are scaled by.
   */
  record Match(Node scores, Node max, Node sum, Node keep, Node scale, boolean divide) {}

  private OnlineSoftmax() {}

  /**
   * {@code p} is the contracted operand (operand {@code side} of {@code dot}), contracted over
   * its last axis alone.
   */
  static Match match(Node p, Node dot, int side) {
    DotGeneral d = (DotGeneral) dot.op();
    List<Integer> contract = side == 0 ? d.lhsContract() : d.rhsContract();
    int last = p.type().rank() - 1;
    if (contract.size() != 1 || contract.get(0) != last) return null;
    Node keep = null;
    Node scale = null;
    boolean divide = false;
    if (p.op() instanceof dev.adjoint.compiler.ir.Select && isZero(p.input(2))
        && p.input(1).op() instanceof Binary g && (g.fn() == Binary.Fn.DIV || g.fn() == Binary.Fn.MUL)
        && isConstant(p.input(1).input(1))) {
      keep = p.input(0);
      scale = p.input(1).input(1);
      divide = g.fn() == Binary.Fn.DIV;
      p = p.input(1).input(0);
    }
    if (!(p.op() instanceof Binary div) || div.fn() != Binary.Fn.DIV) return null;
    Node e = p.input(0);
    Node sum = rowValue(p.input(1), last);
    if (sum == null || !(sum.op() instanceof Reduce rs) || rs.fn() != Reduce.Fn.SUM || sum.input(0) != e) return null;
    if (!(e.op() instanceof Unary u) || u.fn() != Unary.Fn.EXP) return null;
    Node shifted = e.input(0);
    if (!(shifted.op() instanceof Binary sub) || sub.fn() != Binary.Fn.SUB) return null;
    Node scores = shifted.input(0);
    Node max = rowValue(shifted.input(1), last);
    if (max == null || !(max.op() instanceof Reduce rm) || rm.fn() != Reduce.Fn.MAX || max.input(0) != scores) return null;
    if (!rs.axes().equals(List.of(last)) || !rm.axes().equals(List.of(last))) return null;
    return new Match(scores, max, sum, keep, scale, divide);
  }

  private static boolean isConstant(Node n) {
    Node c = n.op() instanceof Broadcast ? n.input(0) : n;
    return c.op() instanceof dev.adjoint.compiler.ir.Constant;
  }

  private static boolean isZero(Node n) {
    Node c = n.op() instanceof Broadcast ? n.input(0) : n;
    return c.op() instanceof dev.adjoint.compiler.ir.Constant k && k.value() == 0;
  }

  /** The row statistic a broadcast (through a keepdims reshape) spreads along {@code axis}. */
  private static Node rowValue(Node n, int axis) {
    if (!(n.op() instanceof Broadcast b)) return null;
    Node inner = n.input(0);
    if (inner.op() instanceof Reshape) inner = inner.input(0);
    if (inner.type().rank() != axis) return null;
    for (int k = 0; k < b.axes().size(); k++) if (b.axes().get(k) > axis) return null;
    return inner;
  }
}
