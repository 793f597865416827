package dev.adjoint.compiler.schedule;

import dev.adjoint.compiler.kernel.Flatten;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Random draws that run along a loop: {@code random(site, base + v)} in the body of the loop over
 * {@code v}, with {@code base} the same on every iteration (a dropout mask along a row). Philox
 * makes four consecutive numbers per block, so a schedule may draw such a run with one call before
 * the loop, into a row the body reads: the same numbers at a quarter of the rounds. Read off the
 * kernel's loops as every backend runs them ({@link Kernel#flatten}): a draw's loop is any axis
 * around it, of a map, a reduction, a contraction's epilogue or a row.
 */
public final class RandomRuns {
  private RandomRuns() {}

  /** Every run of {@code kernel}, loop by loop (outer first), each loop's draws in the order its body prints them. */
  static List<RowSchedule.RandomRun> of(Kernel kernel) {
    List<RowSchedule.RandomRun> out = new ArrayList<>();
    loops(Flatten.statements(kernel.body()), out);
    return out;
  }

  private static void loops(List<KStmt> stmts, List<RowSchedule.RandomRun> out) {
    for (KStmt s : stmts) {
      if (!(s instanceof KStmt.Loop l)) continue;
      if (AffineIndex.invariant(l.extent())) {
        for (RowSchedule.RandomRun r : along(l.body(), l.var())) {
          if (!out.contains(r)) out.add(r);
        }
      }
      loops(l.body(), out);
    }
  }

  /**
   * The draws in {@code body} (nested loops included) whose index is {@code base + var}, where
   * {@code base} reads only sizes, literals and variables bound before the loop: no load, array
   * element or random number, and nothing the body binds. None when the body binds {@code var}
   * again (a nested loop of the same name): its draws could read either variable.
   */
  static List<RowSchedule.RandomRun> along(List<KStmt> body, String var) {
    Set<String> bound = new HashSet<>();
    List<KExpr.Random> draws = new ArrayList<>();
    collect(body, bound, draws);
    if (bound.contains(var)) return List.of();
    bound.add(var);
    List<RowSchedule.RandomRun> out = new ArrayList<>();
    for (KExpr.Random r : draws) {
      KExpr base = AffineIndex.base(r.index(), var);
      if (base != null && plain(base) && ContractionPattern.names(base).stream().noneMatch(bound::contains)) {
        out.add(new RowSchedule.RandomRun(var, r, base));
      }
    }
    return out;
  }

  /**
   * The random draws of {@code stmts}, in the order a backend prints them (nested loops and structured
   * statements included): what a printer lists to size and name its scratch rows.
   */
  public static List<KExpr.Random> draws(List<KStmt> stmts) {
    List<KExpr.Random> out = new ArrayList<>();
    collect(stmts, new HashSet<>(), out);
    return out;
  }

  /** The draws of {@code stmts}, in the order they print, and the names the statements bind. */
  static void collect(List<KStmt> stmts, Set<String> bound, List<KExpr.Random> out) {
    for (KStmt s : stmts) {
      switch (s) {
        case KStmt.Loop l -> {
          bound.add(l.var());
          collect(l.extent(), out);
          collect(l.body(), bound, out);
        }
        case KStmt.Let l -> {
          bound.add(l.var());
          collect(l.value(), out);
        }
        case KStmt.Declare d -> {
          bound.add(d.var());
          collect(d.init(), out);
        }
        case KStmt.Assign a -> collect(a.value(), out);
        case KStmt.DeclareArray d -> {
          bound.add(d.var());
          collect(d.length(), out);
          collect(d.init(), out);
        }
        case KStmt.AssignElement a -> {
          collect(a.index(), out);
          collect(a.value(), out);
        }
        case KStmt.Store st -> {
          collect(st.index(), out);
          collect(st.value(), out);
        }
        case KStmt.Structured st -> collect(Flatten.statements(List.of(st)), bound, out);
        case KStmt.Accumulate a -> {
          collect(a.index(), out);
          collect(a.value(), out);
        }
      }
    }
  }

  private static void collect(KExpr e, List<KExpr.Random> out) {
    if (e instanceof KExpr.Random r) out.add(r);
    for (KExpr child : e.children()) collect(child, out);
  }

  /** Index arithmetic on sizes, literals and variables: nothing that reads memory or draws. */
  private static boolean plain(KExpr e) {
    return switch (e) {
      case KExpr.Const c -> true;
      case KExpr.Var v -> true;
      case KExpr.Size s -> true;
      case KExpr.Unary u -> plain(u.x());
      case KExpr.Binary b -> plain(b.a()) && plain(b.b());
      case KExpr.Cast c -> plain(c.x());
      default -> false;
    };
  }
}
