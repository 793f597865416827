package dev.adjoint.codegen.cuda;

import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A contraction the tiled schedule can run: the last two loops of the grid nest ({@code rows},
 * {@code columns}) index the output, and its body is
 * <pre>
 *   let … (per output element)
 *   var acc = init
 *   for r in 0..R { let …; acc = acc + a * b }   // a reads (row, r), b reads (r, column)
 *   … (the epilogue: stores, adds, anything without loops)
 * </pre>
 * so a block computes a {@value #TILE}×{@value #TILE} tile of outputs, staging {@code a} and
 * {@code b} for {@value #TILE} steps of {@code r} at a time in shared memory. Each output still
 * adds its products in the order of {@code r}, as the kernel interpreter does.
 */
record ContractionTile(KStmt.Loop rows, KStmt.Loop columns, List<KStmt.Let> perOutput, KStmt.Declare accumulator,
    KStmt.Loop reduction, KStmt.Assign update, KExpr a, KExpr b, List<KStmt.Let> aLets, List<KStmt.Let> bLets,
    List<KStmt> epilogue) {
  static final int TILE = 16;

  static Optional<ContractionTile> match(List<KStmt.Loop> nest, List<KStmt> body) {
    if (nest.size() < 2) return Optional.empty();
    KStmt.Loop rows = nest.get(nest.size() - 2);
    KStmt.Loop columns = nest.get(nest.size() - 1);
    int i = 0;
    List<KStmt.Let> perOutput = new ArrayList<>();
    while (i < body.size() && body.get(i) instanceof KStmt.Let let) {
      perOutput.add(let);
      i++;
    }
    if (i + 1 >= body.size() || !(body.get(i) instanceof KStmt.Declare acc)
        || !(body.get(i + 1) instanceof KStmt.Loop reduction) || reduction.parallel()
        || !CudaSchedule.invariant(reduction.extent()) || !(acc.init() instanceof KExpr.Const)) {
      return Optional.empty();
    }
    List<KStmt> epilogue = body.subList(i + 2, body.size());
    if (epilogue.stream().anyMatch(s -> s instanceof KStmt.Loop)) return Optional.empty();

    Set<String> batch = new HashSet<>();
    for (int k = 0; k < nest.size() - 2; k++) batch.add(nest.get(k).var());
    Map<String, Set<String>> letDeps = new HashMap<>();
    Map<String, KStmt.Let> lets = new HashMap<>();
    KStmt.Assign update = null;
    for (KStmt s : reduction.body()) {
      if (s instanceof KStmt.Let let) {
        Set<String> deps = new HashSet<>();
        if (!dependencies(let.value(), batch, rows.var(), columns.var(), reduction.var(), letDeps, deps)) {
          return Optional.empty();
        }
        letDeps.put(let.var(), deps);
        lets.put(let.var(), let);
      } else if (s instanceof KStmt.Assign assign && update == null && assign.var().equals(acc.var())) {
        update = assign;
      } else {
        return Optional.empty();
      }
    }
    if (update == null || CudaSchedule.combiner(update) != Fn.ADD) return Optional.empty();
    if (!(CudaSchedule.operand(update) instanceof KExpr.Binary product) || product.fn() != Fn.MUL) return Optional.empty();
    if (product.a().dtype() != acc.dtype()) return Optional.empty();
    Set<String> da = new HashSet<>();
    Set<String> db = new HashSet<>();
    if (!dependencies(product.a(), batch, rows.var(), columns.var(), reduction.var(), letDeps, da)
        || !dependencies(product.b(), batch, rows.var(), columns.var(), reduction.var(), letDeps, db)) {
      return Optional.empty();
    }
    KExpr a = product.a();
    KExpr b = product.b();
    if (da.contains(columns.var()) || db.contains(rows.var())) {
      // Written b * a: swap, so a is the row side.
      KExpr t = a;
      a = b;
      b = t;
      Set<String> td = da;
      da = db;
      db = td;
    }
    if (da.contains(columns.var()) || db.contains(rows.var())) return Optional.empty();
    return Optional.of(new ContractionTile(rows, columns, perOutput, acc, reduction, update, a, b,
        letsFor(a, reduction.body(), lets), letsFor(b, reduction.body(), lets), List.copyOf(epilogue)));
  }

  /**
   * Adds to {@code out} the loop variables {@code e} depends on, through the reduction body's lets;
   * false when it reads anything else (a let of the row, the accumulator, a local array).
   */
  private static boolean dependencies(KExpr e, Set<String> batch, String row, String column, String r,
      Map<String, Set<String>> letDeps, Set<String> out) {
    return switch (e) {
      case KExpr.Var v -> {
        if (batch.contains(v.name()) || v.name().equals(row) || v.name().equals(column) || v.name().equals(r)) {
          out.add(v.name());
          yield true;
        }
        Set<String> deps = letDeps.get(v.name());
        if (deps == null) yield false;
        out.addAll(deps);
        out.add("let " + v.name());
        yield true;
      }
      case KExpr.Const c -> true;
      case KExpr.Size s -> true;
      case KExpr.Load l -> dependencies(l.index(), batch, row, column, r, letDeps, out);
      case KExpr.Element el -> false;
      case KExpr.Unary u -> dependencies(u.x(), batch, row, column, r, letDeps, out);
      case KExpr.Binary bin -> dependencies(bin.a(), batch, row, column, r, letDeps, out)
          && dependencies(bin.b(), batch, row, column, r, letDeps, out);
      case KExpr.Select s -> dependencies(s.condition(), batch, row, column, r, letDeps, out)
          && dependencies(s.a(), batch, row, column, r, letDeps, out)
          && dependencies(s.b(), batch, row, column, r, letDeps, out);
      case KExpr.Cast c -> dependencies(c.x(), batch, row, column, r, letDeps, out);
      // A random draw in a contraction's operand: left to the one-output-per-thread schedule.
      case KExpr.Random rnd -> false;
    };
  }

  /** The lets of the reduction body that {@code e} needs, in body order. */
  private static List<KStmt.Let> letsFor(KExpr e, List<KStmt> body, Map<String, KStmt.Let> lets) {
    Set<String> needed = new HashSet<>();
    collect(e, lets, needed);
    List<KStmt.Let> out = new ArrayList<>();
    for (KStmt s : body) if (s instanceof KStmt.Let let && needed.contains(let.var())) out.add(let);
    return out;
  }

  private static void collect(KExpr e, Map<String, KStmt.Let> lets, Set<String> needed) {
    switch (e) {
      case KExpr.Var v -> {
        KStmt.Let let = lets.get(v.name());
        if (let != null && needed.add(v.name())) collect(let.value(), lets, needed);
      }
      case KExpr.Load l -> collect(l.index(), lets, needed);
      case KExpr.Unary u -> collect(u.x(), lets, needed);
      case KExpr.Binary bin -> {
        collect(bin.a(), lets, needed);
        collect(bin.b(), lets, needed);
      }
      case KExpr.Select s -> {
        collect(s.condition(), lets, needed);
        collect(s.a(), lets, needed);
        collect(s.b(), lets, needed);
      }
      case KExpr.Cast c -> collect(c.x(), lets, needed);
      default -> {}
    }
  }
}
