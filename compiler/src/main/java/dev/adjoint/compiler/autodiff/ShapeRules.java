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
      // broadcast(reshape(x)) where the reshape only adds size-1 axes that the broadcast stretches -> broadcast(x)
      new Rule("broadcast(x with unit axes) -> broadcast(x)", (n, e) -> {
        if (!(n.op() instanceof Broadcast outer) || !(n.input(0).op() instanceof Reshape)) return null;
        Node x = n.input(0).input(0);
        List<dev.adjoint.compiler.ir.Dim> unit = n.input(0).type().shape().dims();
        List<Integer> axes = new ArrayList<>();
        int k = 0;
        for (int u = 0; u < unit.size(); u++) {
          boolean stretched = unit.get(u).equals(dev.adjoint.compiler.ir.Dim.of(1))
              && !outer.shape().dim(outer.axes().get(u)).equals(dev.adjoint.compiler.ir.Dim.of(1));
          if (stretched) continue;
          if (k >= x.type().rank() || !x.type().shape().dim(k).equals(unit.get(u))) return null;
          axes.add(outer.axes().get(u));
          k++;
        }
        if (k != x.type().rank()) return null;
        return e.node(new Broadcast(outer.shape(), axes), x);
      }),
      // reduce(broadcast(x)) over axes x has -> broadcast(reduce(x)): reduce before repeating
      new Rule("reduce(broadcast(x)) -> broadcast(reduce(x))", (n, e) -> {
        if (!(n.op() instanceof dev.adjoint.compiler.ir.Reduce r) || !(n.input(0).op() instanceof Broadcast b)) return null;
        Node x = n.input(0).input(0);
        List<Integer> inner = new ArrayList<>();
        for (int a : r.axes()) {
          int k = b.axes().indexOf(a);
          if (k < 0 || !x.type().shape().dim(k).equals(b.shape().dim(a))) return null;
          inner.add(k);
        }
        Node reduced = e.reduce(r.fn(), x, inner);
        List<Integer> kept = new ArrayList<>();
        for (int a = 0; a < b.shape().rank(); a++) if (!r.axes().contains(a)) kept.add(a);
        List<Integer> axes = new ArrayList<>();
        for (int k = 0; k < b.axes().size(); k++) if (!inner.contains(k)) axes.add(kept.indexOf(b.axes().get(k)));
        return e.node(new Broadcast(n.type().shape(), axes), reduced);
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
