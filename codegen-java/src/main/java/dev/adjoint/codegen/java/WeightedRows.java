package dev.adjoint.codegen.java;

import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.schedule.ContractionPattern;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A loop one of whose statements adds a weighted row of a buffer to an accumulator row, and whose
 * other statements leave that row alone: attention's sum of value rows weighted by probabilities
 * (or, with a scale, the online softmax's running rescale and sum).
 *
 * <pre>
 *   for r in 0..T {                              for r in 0..T {
 *     ... let w = ...                              ... let w = ...
 *     for v in 0..32 {                             weights[r] = w
 *       acc[v] = acc[v] (* s) + w * x[base(r) + v] }
 *     }                                          RowKernels.addWeightedRows(acc, weights, x, base(0), stride, T, 32)
 *   }
 * </pre>
 *
 * The update's weight (and scale) is kept where the update was; the rows are added after the loop,
 * in the loop's order, so {@code acc} stays in registers across them; the sums are the same bits. It qualifies when the row's start is affine in {@code r}
 * and names nothing the loop body binds, and the kernel does not write {@code x}.
 */
final class WeightedRows {
  /**
   * The update ({@code add}), the loop body's statement that it is ({@code update}), and where row
   * {@code r} starts: {@code start + r * stride}.
   */
  record Match(RowLoopPattern.ScaledAdd add, KStmt update, KExpr start, KExpr stride) {}

  private WeightedRows() {}

  /** The match of {@code loop}, or null. */
  static Match match(KStmt.Loop loop, Set<Buffer> written) {
    List<KStmt> body = loop.body();
    KStmt update = null;
    RowLoopPattern.ScaledAdd add = null;
    for (KStmt s : body) {
      if (RowLoopPattern.scaledAdd(s) instanceof RowLoopPattern.ScaledAdd a) {
        if (update != null) return null;
        update = s;
        add = a;
      }
    }
    if (add == null || written.contains(add.x()) || !AffineIndex.invariant(add.length())) return null;
    Set<String> bound = new HashSet<>();
    for (KStmt s : body) {
      if (s == update) continue;
      if (touches(s, add.array())) return null;
      bind(s, bound);
    }
    for (String name : ContractionPattern.names(add.xBase())) {
      if (bound.contains(name)) return null;
    }
    KExpr stride = AffineIndex.stride(add.xBase(), loop.var());
    if (stride == null) return null;
    return new Match(add, update, AffineIndex.substitute(add.xBase(), loop.var(), KExpr.Const.index(0)), stride);
  }

  /** Whether {@code s} reads, writes or declares local array {@code array}. */
  private static boolean touches(KStmt s, String array) {
    return switch (s) {
      case KStmt.Loop l -> mentionsArray(l.extent(), array) || l.body().stream().anyMatch(x -> touches(x, array));
      case KStmt.Let l -> mentionsArray(l.value(), array);
      case KStmt.Declare d -> mentionsArray(d.init(), array);
      case KStmt.Assign a -> mentionsArray(a.value(), array);
      case KStmt.DeclareArray d -> d.var().equals(array) || mentionsArray(d.length(), array)
          || mentionsArray(d.init(), array);
      case KStmt.AssignElement a -> a.array().equals(array) || mentionsArray(a.index(), array)
          || mentionsArray(a.value(), array);
      case KStmt.Store st -> mentionsArray(st.index(), array) || mentionsArray(st.value(), array);
      case KStmt.Structured st -> throw new IllegalStateException("the emitter takes flattened kernels, not a "
          + st.getClass().getSimpleName());
      case KStmt.Accumulate ac -> mentionsArray(ac.index(), array) || mentionsArray(ac.value(), array);
    };
  }

  private static boolean mentionsArray(KExpr e, String array) {
    if (e instanceof KExpr.Element el && el.array().equals(array)) return true;
    return e.children().stream().anyMatch(x -> mentionsArray(x, array));
  }


  /** Adds the names {@code s} binds (its locals and loop variables, nested ones too) to {@code out}. */
  private static void bind(KStmt s, Set<String> out) {
    switch (s) {
      case KStmt.Loop l -> {
        out.add(l.var());
        for (KStmt x : l.body()) bind(x, out);
      }
      case KStmt.Let l -> out.add(l.var());
      case KStmt.Declare d -> out.add(d.var());
      case KStmt.DeclareArray d -> out.add(d.var());
      default -> {}
    }
  }
}
