package dev.adjoint.compiler.kernel;

import dev.adjoint.runtime.DType;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a kernel is, read off its structured statements (the first rule that holds):
 *
 * <ol>
 *   <li>{@link #SCATTER}: it adds into a buffer outside any map — iterations that may hit the same
 *       element (an embedding's gradient);
 *   <li>{@link #ATTENTION}: an {@link KStmt.OnlineSoftmax}, or a contraction inside a reduction, a
 *       weighted sum or another contraction (scores recomputed where they are used);
 *   <li>{@link #CONTRACTION}: a {@link KStmt.Contraction} or {@link KStmt.WeightedSum};
 *   <li>{@link #REDUCTION}: a {@link KStmt.Reduce}, unless its result is stored beside a map over
 *       finer elements that follows it (a row's statistics stored for the backward pass next to
 *       the row's normalised elements: results of an elementwise kernel);
 *   <li>{@link #ELEMENTWISE}: it computes a value (arithmetic, a comparison or select beyond a
 *       bounds test on indices, a cast, a gathered row);
 *   <li>{@link #COPY}: it only moves elements.
 * </ol>
 *
 * A kernel's name ends with its kind's {@link #label}; a kernel without structured statements (one
 * flattened for a backend, or written at loop level in a test) keeps the kind it was given.
 */
public enum KernelKind {
  ELEMENTWISE,
  REDUCTION,
  CONTRACTION,
  ATTENTION,
  SCATTER,
  COPY;

  /** The kind's name in kernel names, dumps and generated code: {@code contraction}, …. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return label();
  }

  /** The kind of a kernel with this body. */
  public static KernelKind of(List<KStmt> body) {
    Facts f = new Facts();
    f.loopVariables(body);
    f.statements(body, false, false);
    if (f.scatter) return SCATTER;
    if (f.attention) return ATTENTION;
    if (f.contraction) return CONTRACTION;
    if (f.reduction) return REDUCTION;
    if (f.computes) return ELEMENTWISE;
    return COPY;
  }

  private static final class Facts {
    final Set<String> loopVars = new HashSet<>();
    boolean scatter;
    boolean attention;
    boolean contraction;
    boolean reduction;
    boolean computes;

    void loopVariables(List<KStmt> list) {
      for (KStmt s : list) {
        switch (s) {
          case KStmt.Loop l -> {
            loopVars.add(l.var());
            loopVariables(l.body());
          }
          case KStmt.Structured st -> {
            switch (st) {
              case KStmt.ForAll m -> m.axes().forEach(a -> loopVars.add(a.var()));
              case KStmt.Reduce r -> r.axes().forEach(a -> loopVars.add(a.var()));
              case KStmt.Contraction c -> c.axes().forEach(a -> loopVars.add(a.var()));
              case KStmt.WeightedSum w -> {
                w.axes().forEach(a -> loopVars.add(a.var()));
                loopVars.add(w.row().lane().var());
              }
              case KStmt.OnlineSoftmax o -> {
                loopVars.add(o.key().var());
                loopVars.add(o.row().lane().var());
              }
            }
            loopVariables(st.expand());
          }
          default -> {}
        }
      }
    }

    void statements(List<KStmt> list, boolean inMap, boolean inReduction) {
      for (int i = 0; i < list.size(); i++) {
        switch (list.get(i)) {
          case KStmt.Loop l -> statements(l.body(), inMap, inReduction);
          case KStmt.Let l -> value(l.value());
          case KStmt.Declare d -> value(d.init());
          case KStmt.Assign a -> value(a.value());
          case KStmt.DeclareArray d -> value(d.init());
          case KStmt.AssignElement a -> {
            index(a.index());
            value(a.value());
          }
          case KStmt.Store st -> {
            index(st.index());
            value(st.value());
          }
          case KStmt.Accumulate a -> {
            if (!inMap) scatter = true;
            index(a.index());
            value(a.value());
          }
          case KStmt.ForAll m -> statements(m.body(), true, inReduction);
          case KStmt.Reduce r -> {
            if (!storedBesideMap(r.accumulator(), list.subList(i + 1, list.size()))) reduction = true;
            statements(r.body(), inMap, true);
            value(r.value());
          }
          case KStmt.Contraction c -> {
            contraction = true;
            if (inReduction) attention = true;
            statements(c.prologue(), inMap, true);
            value(c.product());
            statements(c.epilogue(), inMap, inReduction);
          }
          case KStmt.WeightedSum w -> {
            contraction = true;
            statements(w.body(), inMap, true);
            statements(w.row().setup(), inMap, true);
            statements(w.row().body(), inMap, true);
          }
          case KStmt.OnlineSoftmax o -> {
            attention = true;
            statements(o.body(), inMap, true);
          }
        }
      }
    }

    /**
     * Whether a reduction's result is one of the kernel's results beside a map over finer elements
     * that follows it: a row's statistics, stored for the backward pass next to the row's
     * normalised elements (which may be computed from them), are results of an elementwise kernel.
     */
    private static boolean storedBesideMap(String acc, List<KStmt> after) {
      boolean stored = false;
      boolean mapFollows = false;
      for (KStmt s : after) {
        if (s instanceof KStmt.Store st && st.value() instanceof KExpr.Var v && v.name().equals(acc)) stored = true;
        if (s instanceof KStmt.ForAll) mapFollows = true;
      }
      return stored && mapFollows;
    }

    /**
     * Notes whether a value computes: arithmetic, a comparison or a select that is more than a
     * bounds test on indices (a pad or a concatenation is one), a cast of anything but a size, a
     * load at a gathered index. Constants, sizes, indices and random numbers only move or make
     * elements.
     */
    private void value(KExpr e) {
      switch (e) {
        case KExpr.Unary u -> {
          computes = true;
          value(u.x());
        }
        case KExpr.Binary b -> {
          if (!boundsTest(b)) computes = true;
          value(b.a());
          value(b.b());
        }
        case KExpr.Select s -> {
          if (!boundsTest(s.condition())) computes = true;
          value(s.condition());
          value(s.a());
          value(s.b());
        }
        case KExpr.Cast c -> {
          if (!IndexMap.invariant(c.x())) computes = true;
          value(c.x());
        }
        case KExpr.Load l -> index(l.index());
        case KExpr.Element el -> index(el.index());
        case KExpr.Random r -> index(r.index());
        default -> {}
      }
    }

    /** An index that names anything but loop variables reads a gathered position. */
    private void index(KExpr e) {
      if (e instanceof KExpr.Var v && !loopVars.contains(v.name())) computes = true;
      for (KExpr c : e.children()) index(c);
    }

    /** {@code index op bound} (and {@code &&} / {@code ||} of such), with a bound fixed for the kernel. */
    private static boolean boundsTest(KExpr e) {
      if (!(e instanceof KExpr.Binary b)) return false;
      if (b.fn().isLogical()) return boundsTest(b.a()) && boundsTest(b.b());
      return b.fn().isComparison() && b.a().dtype() == DType.I32
          && (IndexMap.invariant(b.a()) || IndexMap.invariant(b.b()));
    }
  }
}
