package dev.adjoint.compiler.autodiff;

import dev.adjoint.compiler.ir.Broadcast;
import dev.adjoint.compiler.ir.DotGeneral;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.Reshape;
import dev.adjoint.compiler.ir.Transpose;
import java.util.ArrayList;
import java.util.List;

/** Rules that compose or remove layout changes. */
final class ShapeRules {
  private ShapeRules() {}

  static final List<Rule> RULES = List.of(
      // reshape(x) to x's own shape -> x
      new Rule("reshape(x) -> x when shapes match", (n, e) -> n.op() instanceof Reshape
          && n.input(0).type().shape().equals(n.type().shape()) ? n.input(0) : null),
      // reshape(reshape(x)) -> reshape(x)
      new Rule("reshape(reshape(x)) -> reshape(x)", (n, e) -> n.op() instanceof Reshape && n.input(0).op() instanceof Reshape
          ? e.reshape(n.input(0).input(0), n.type().shape()) : null),
      // transpose(x, identity) -> x
      new Rule("transpose(x, identity) -> x", (n, e) -> n.op() instanceof Transpose t && isIdentity(t.permutation()) ? n.input(0) : null),
      // transpose(transpose(x, p), q) -> transpose(x, p∘q)
      new Rule("transpose(transpose(x)) -> transpose(x)", (n, e) -> {
        if (!(n.op() instanceof Transpose outer) || !(n.input(0).op() instanceof Transpose inner)) return null;
        List<Integer> composed = new ArrayList<>();
        for (int q : outer.permutation()) composed.add(inner.permutation().get(q));
        return e.transpose(n.input(0).input(0), composed);
      }),
      // broadcast(broadcast(x)) -> broadcast(x), when no axis of x is stretched twice
      new Rule("broadcast(broadcast(x)) -> broadcast(x)", (n, e) -> {
        if (!(n.op() instanceof Broadcast outer) || !(n.input(0).op() instanceof Broadcast inner)) return null;
        List<Integer> axes = new ArrayList<>();
        for (int a : inner.axes()) axes.add(outer.axes().get(a));
        return e.node(new Broadcast(outer.shape(), axes), n.input(0).input(0));
      }),
      // transpose(a · b) that puts b's free axes before a's -> b · a (transpose of a contraction)
      new Rule("transpose(a . b) -> b . a", (n, e) -> {
        if (!(n.op() instanceof Transpose t) || !(n.input(0).op() instanceof DotGeneral d)) return null;
        Node a = n.input(0).input(0);
        Node b = n.input(0).input(1);
        int nb = d.lhsBatch().size();
        int nl = d.lhsFree(a.type().rank()).size();
        int nr = d.rhsFree(b.type().rank()).size();
        List<Integer> swapped = new ArrayList<>();
        for (int i = 0; i < nb; i++) swapped.add(i);
        for (int i = 0; i < nr; i++) swapped.add(nb + nl + i);
        for (int i = 0; i < nl; i++) swapped.add(nb + i);
        if (!t.permutation().equals(swapped)) return null;
        return e.node(new DotGeneral(d.rhsBatch(), d.lhsBatch(), d.rhsContract(), d.lhsContract()), b, a);
      }));

  private static boolean isIdentity(List<Integer> perm) {
    for (int i = 0; i < perm.size(); i++) if (perm.get(i) != i) return false;
    return true;
  }
}
