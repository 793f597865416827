package dev.adjoint.compiler.lower;

import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Shape;
import dev.adjoint.compiler.kernel.KExpr;
import java.util.ArrayList;
import java.util.List;

/** Index arithmetic: flat offsets, and the index of a reshape's operand for an index of its result. */
final class IndexMaps {
  private IndexMaps() {}

  /** C-order flat offset of {@code index} in {@code shape}. */
  static KExpr flat(List<KExpr> index, Shape shape) {
    KExpr offset = KExpr.Const.index(0);
    for (int a = 0; a < index.size(); a++) {
      offset = KExpr.add(KExpr.mul(offset, KExpr.size(shape.dim(a))), index.get(a));
    }
    return offset;
  }

  /** The multi-index of flat offset {@code flat} in {@code dims}. */
  static List<KExpr> unflat(KExpr flat, List<Dim> dims) {
    List<KExpr> out = new ArrayList<>();
    Dim stride = Dim.of(1);
    for (int a = dims.size() - 1; a >= 0; a--) {
      KExpr i = KExpr.div(flat, KExpr.size(stride));
      out.add(0, a == 0 ? i : KExpr.mod(i, KExpr.size(dims.get(a))));
      stride = stride.times(dims.get(a));
    }
    return out;
  }

  /**
   * The operand index of a reshape from {@code in} to {@code out}. Axes are matched in groups of
   * equal element count, so splitting or merging neighbouring axes and adding or dropping axes of
   * size 1 give plain index expressions rather than a full linearisation.
   */
  static List<KExpr> reshape(List<KExpr> outIndex, Shape out, Shape in) {
    List<KExpr> result = new ArrayList<>();
    int o = 0;
    int i = 0;
    while (o < out.rank() || i < in.rank()) {
      // Size-1 axes map to nothing / index 0.
      if (i < in.rank() && in.dim(i).equals(Dim.of(1)) && (o >= out.rank() || !out.dim(o).equals(Dim.of(1)))) {
        result.add(KExpr.Const.index(0));
        i++;
        continue;
      }
      if (o < out.rank() && out.dim(o).equals(Dim.of(1)) && (i >= in.rank() || !in.dim(i).equals(Dim.of(1)))) {
        o++;
        continue;
      }
      int o0 = o;
      int i0 = i;
      Dim po = out.dim(o++);
      Dim pi = in.dim(i++);
      int guard = 0;
      while (!po.equals(pi) && guard++ < 64) {
        if (o < out.rank() && lessOrUnknown(po, pi)) po = po.times(out.dim(o++));
        else if (i < in.rank()) pi = pi.times(in.dim(i++));
        else if (o < out.rank()) po = po.times(out.dim(o++));
        else break;
      }
      if (!po.equals(pi)) return unflat(flat(outIndex, out), in.dims());
      KExpr group = flat(outIndex.subList(o0, o), Shape.of(out.dims().subList(o0, o)));
      result.addAll(unflat(group, in.dims().subList(i0, i)));
    }
    return result;
  }

  private static boolean lessOrUnknown(Dim a, Dim b) {
    Dim diff = b.minus(a);
    if (diff.isConstant()) return diff.constant() > 0;
    return b.dividedBy(a) != null && !b.equals(a);
  }
}
