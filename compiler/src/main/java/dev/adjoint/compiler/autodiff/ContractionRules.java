package dev.adjoint.compiler.autodiff;

import dev.adjoint.compiler.ir.Binary;
import dev.adjoint.compiler.ir.Broadcast;
import dev.adjoint.compiler.ir.DotGeneral;
import dev.adjoint.compiler.ir.Emitter;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Reduce;
import dev.adjoint.compiler.ir.Transpose;
import java.util.ArrayList;
import java.util.List;

/**
 * Recognises contractions written elementwise: {@code sum over k of a[.., k, ..] * b[.., k, ..]},
 * which is how index notation ({@code sum[d](q[b, h, i, d] * k[b, h, j, d])}) reaches the graph —
 * a product of two broadcasts, summed. Rewritten as a {@code dot_general}, it is the same node
 * {@code q @ k.T} builds, so the two spellings fuse alike.
 */
final class ContractionRules {
  private ContractionRules() {}

  /** One operand as laid out in the product's axes: union axis of each of its own axes. */
  private record Placed(Node node, int[] axisOf) {}

  /**
   * A contraction with a constant operand (a ones cotangent times v) is a sum of the other
   * operand, scaled and repeated: {@code dot(c, x) -> c · broadcast(sum(x))}.
   */
  static final Rule CONSTANT_OPERAND = new Rule("dot(constant, x) -> c * broadcast(sum(x))", (n, e) -> {
    if (!(n.op() instanceof DotGeneral d)) return null;
    for (int side = 0; side < 2; side++) {
      java.util.OptionalDouble c = Patterns.splat(n.input(side));
      if (c.isEmpty()) continue;
      Node x = n.input(1 - side);
      List<Integer> batch = side == 0 ? d.rhsBatch() : d.lhsBatch();
      List<Integer> contract = side == 0 ? d.rhsContract() : d.lhsContract();
      List<Integer> free = side == 0 ? d.rhsFree(x.type().rank()) : d.lhsFree(x.type().rank());
      Node summed = e.reduce(dev.adjoint.compiler.ir.Reduce.Fn.SUM, x, contract.stream().sorted().toList());
      // Axes left after the sum, in x's order; put them as [batch..., free...].
      List<Integer> left = new ArrayList<>();
      for (int a = 0; a < x.type().rank(); a++) if (!contract.contains(a)) left.add(a);
      List<Integer> perm = new ArrayList<>();
      for (int a : batch) perm.add(left.indexOf(a));
      for (int a : free) perm.add(left.indexOf(a));
      Node ordered = e.transpose(summed, perm);
      int nb = batch.size();
      int nl = d.lhsFree(n.input(0).type().rank()).size();
      List<Integer> axes = new ArrayList<>();
      for (int i = 0; i < nb; i++) axes.add(i);
      int offset = side == 0 ? nb + nl : nb;
      for (int i = 0; i < free.size(); i++) axes.add(offset + i);
      Node spread = e.node(new dev.adjoint.compiler.ir.Broadcast(n.type().shape(), axes), ordered);
      return c.getAsDouble() == 1 ? spread : e.mul(spread, e.fullLike(c.getAsDouble(), spread));
    }
    return null;
  });

  static final List<Rule> RULES = List.of(
      CONSTANT_OPERAND,
      // sum(broadcast(a) * broadcast(b)) over shared axes -> dot_general(a, b)
      new Rule("sum(a * b) over shared axes -> dot_general", (n, e) -> {
        if (!(n.op() instanceof Reduce r) || r.fn() != Reduce.Fn.SUM) return null;
        Node product = n.input(0);
        if (!(product.op() instanceof Binary b) || b.fn() != Binary.Fn.MUL || !product.type().dtype().isFloating()) return null;
        Placed a = placed(product.input(0));
        Placed c = placed(product.input(1));
        if (a == null || c == null) return null;
        return contraction(n, r, a, c, e);
      }));

  /** An operand reached through a broadcast (and a transpose under it) that only adds axes. */
  private static Placed placed(Node x) {
    int rank = x.type().rank();
    if (x.op() instanceof Broadcast bc) {
      Node inner = x.input(0);
      for (int k = 0; k < bc.axes().size(); k++) {
        if (!inner.type().shape().dim(k).equals(bc.shape().dim(bc.axes().get(k)))) return null;
      }
      int[] axisOf = new int[inner.type().rank()];
      if (inner.op() instanceof Transpose t) {
        Node source = inner.input(0);
        int[] of = new int[source.type().rank()];
        for (int k = 0; k < t.permutation().size(); k++) of[t.permutation().get(k)] = bc.axes().get(k);
        return new Placed(source, of);
      }
      for (int k = 0; k < axisOf.length; k++) axisOf[k] = bc.axes().get(k);
      return new Placed(inner, axisOf);
    }
    int[] identity = new int[rank];
    for (int k = 0; k < rank; k++) identity[k] = k;
    return new Placed(x, identity);
  }

  private static Node contraction(Node sum, Reduce r, Placed a, Placed b, Emitter e) {
    int rank = sum.input(0).type().rank();
    List<Integer> lb = new ArrayList<>();
    List<Integer> rb = new ArrayList<>();
    List<Integer> lc = new ArrayList<>();
    List<Integer> rc = new ArrayList<>();
    List<Integer> batchAxes = new ArrayList<>();
    for (int u = 0; u < rank; u++) {
      int ia = indexOf(a.axisOf(), u);
      int ib = indexOf(b.axisOf(), u);
      boolean reduced = r.axes().contains(u);
      if (ia < 0 && ib < 0) return null; // an axis neither operand has: not a plain contraction
      if (reduced && (ia < 0 || ib < 0)) return null; // summed on one side only
      if (ia >= 0 && ib >= 0) {
        if (reduced) {
          lc.add(ia);
          rc.add(ib);
        } else {
          lb.add(ia);
          rb.add(ib);
          batchAxes.add(u);
        }
      }
    }
    if (lc.isEmpty()) return null;
    // Without a free axis on each side it is a row or column sum of a product (a variance, a
    // gradient of a scale): better left to the reductions, which fuse with their neighbours.
    if (lb.size() + lc.size() == a.axisOf().length || rb.size() + rc.size() == b.axisOf().length) return null;
    Node dot = e.node(new DotGeneral(lb, rb, lc, rc), a.node(), b.node());
    // dot_general orders its result [batch, free of a, free of b]; the sum keeps product order.
    List<Integer> dotAxes = new ArrayList<>(batchAxes);
    for (int k = 0; k < a.axisOf().length; k++) if (!lb.contains(k) && !lc.contains(k)) dotAxes.add(a.axisOf()[k]);
    for (int k = 0; k < b.axisOf().length; k++) if (!rb.contains(k) && !rc.contains(k)) dotAxes.add(b.axisOf()[k]);
    List<Integer> kept = new ArrayList<>();
    for (int u = 0; u < rank; u++) if (!r.axes().contains(u)) kept.add(u);
    List<Integer> perm = new ArrayList<>();
    for (int u : kept) perm.add(dotAxes.indexOf(u));
    if (perm.contains(-1)) return null;
    Node result = e.transpose(dot, perm);
    return result.type().equals(sum.type()) ? result : null;
  }

  private static int indexOf(int[] axes, int u) {
    for (int k = 0; k < axes.length; k++) if (axes[k] == u) return k;
    return -1;
  }
}
