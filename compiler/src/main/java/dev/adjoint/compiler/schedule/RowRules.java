package dev.adjoint.compiler.schedule;

import dev.adjoint.compiler.kernel.Axis;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.Flatten;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Reducer;
import dev.adjoint.compiler.target.CpuTarget;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The CPU's row rules: what attention's row kernels run on {@code RowKernels} and {@code RowMaps},
 * read off the kernel's structured statements ({@link KStmt.Contraction}, {@link KStmt.WeightedSum},
 * {@link KStmt.OnlineSoftmax}, {@link KStmt.Reduce}) and put on the schedule as a
 * {@link RowSchedule}. Each rule decides one thing; none looks at loops.
 */
public final class RowRules {
  private RowRules() {}

  /** Rows of a row nest per block whose dot products are computed first (64 × the keys' f32 stay in L2). */
  static final int BLOCK_ROWS = 64;

  // A contraction over one axis of two plain f32 loads, contiguous along it, is a dot product: RowKernels.dot.
  static final Rule<CpuTarget> DOTS = new Rule<>("rows.dot",
      "a contraction of two contiguous f32 runs over one axis is a dot product (RowKernels.dot)",
      (k, t, s) -> {
        if (s.routine() == Routine.GEMM) return null;
        List<RowSchedule.RowDot> dots = new ArrayList<>();
        walk(k.kernel().body(), (list, i) -> {
          RowSchedule.RowDot d = dot(list, i);
          if (d != null) dots.add(d);
        });
        return dots.isEmpty() ? null : new Rule.Outcome(s.withRows(s.rows().withDots(dots)),
            dots.size() + " dot product(s): " + String.join(", ", dots.stream().map(RowSchedule.RowDot::accumulator).toList()));
      });

  // A weighted sum (or the online softmax) of plain rows at an affine start adds its rows after its loop (RowKernels).
  static final Rule<CpuTarget> WEIGHTED = new Rule<>("rows.weighted",
      "a weighted sum of contiguous rows at an affine start keeps each key's weight and adds the rows after the loop",
      (k, t, s) -> {
        if (s.routine() == Routine.GEMM) return null;
        Set<Buffer> written = new HashSet<>(k.kernel().writes());
        List<RowSchedule.WeightedRows> found = new ArrayList<>();
        walk(k.kernel().body(), (list, i) -> {
          RowSchedule.WeightedRows w = weightedRows(list.get(i), written);
          if (w != null) found.add(w);
        });
        return found.isEmpty() ? null : new Rule.Outcome(s.withRows(s.rows().withWeighted(found)),
            found.size() + " weighted sum(s) over " + String.join(", ", found.stream().map(RowSchedule.WeightedRows::key).toList()));
      });

  // compute_at: the dot products of a row nest's loops over keys, one operand per row, the other per key, for a block of rows first.
  static final Rule<CpuTarget> BLOCK = new Rule<>("rows.block",
      "dot products with one operand along the rows and the other along a key loop run for a block of "
          + BLOCK_ROWS + " rows before the rows (compute_at)",
      (k, t, s) -> {
        if (s.routine() == Routine.GEMM) return null;
        Set<Buffer> written = new HashSet<>(k.kernel().writes());
        RowSchedule rows = s.rows();
        List<String> decided = new ArrayList<>();
        for (KStmt top : k.kernel().body()) {
          if (!(top instanceof KStmt.ForAll nest) || !nest.axes().stream().allMatch(a -> AffineIndex.invariant(a.extent()))) {
            continue;
          }
          List<RowSchedule.HoistedProduct> products = products(nest, rows, written);
          if (products.isEmpty()) continue;
          String axis = nest.axes().getLast().var();
          rows = copiedPerBlock(rows.withBlock(new RowSchedule.RowBlock(axis, BLOCK_ROWS, products)), nest);
          decided.add(axis + " in blocks of " + BLOCK_ROWS + ", " + products.size() + " block(s) of products");
        }
        return decided.isEmpty() ? null : new Rule.Outcome(s.withRows(rows), String.join("; ", decided));
      });

  // The loops over keys of a row block whose per-key values are f32 arithmetic on contiguous runs run as whole-row RowMaps calls.
  static final Rule<CpuTarget> WHOLE_ROWS = new Rule<>("rows.whole-rows",
      "a row block's loop over keys whose values are + - * / max min neg exp select on runs contiguous along the keys "
          + "runs as whole-row RowMaps operations",
      (k, t, s) -> {
        if (s.routine() == Routine.GEMM || s.rows().blocks().isEmpty()) return null;
        Set<Buffer> written = new HashSet<>(k.kernel().writes());
        List<RowSchedule.Vectorised> found = new ArrayList<>();
        for (KStmt top : k.kernel().body()) {
          if (!(top instanceof KStmt.ForAll nest) || s.rows().block(nest.axes().getLast().var()).isEmpty()) continue;
          RowSchedule.RowBlock block = s.rows().block(nest.axes().getLast().var()).get();
          for (KStmt st : nest.body()) {
            RowSchedule.Vectorised v = vectorised(st, s.rows(), block, written);
            if (v != null) found.add(v);
          }
        }
        return found.isEmpty() ? null : new Rule.Outcome(s.withRows(s.rows().withVectorised(found)),
            String.join(", ", found.stream().map(v -> v.key() + " (" + v.program().steps().size() + " calls)").toList()));
      });

  // Draws random(site, base + v) along a loop over v, base the same on every iteration: a run drawn before the loop (Philox: 4 a block).
  static final Rule<CpuTarget> DRAWS = new Rule<>("rows.draws",
      "random numbers drawn at consecutive indices along a loop are drawn as a run before it (Philox: four a block)",
      (k, t, s) -> {
        List<RowSchedule.RandomRun> runs = RandomRuns.of(k.kernel());
        return runs.isEmpty() ? null : new Rule.Outcome(s.withRows(s.rows().withRandomRuns(runs)),
            runs.size() + " run(s) along " + String.join(", ", new LinkedHashSet<>(
                runs.stream().map(RowSchedule.RandomRun::loop).toList())));
      });

  /** The row rules, in the order they apply (after the routine rules). */
  public static final List<Rule<CpuTarget>> RULES = List.of(DOTS, WEIGHTED, BLOCK, WHOLE_ROWS, DRAWS);

  // ---- reading the structure

  private interface Visit {
    void at(List<KStmt> list, int i);
  }

  /** Every statement list of {@code stmts}, nested ones too, each statement visited with its list and position. */
  private static void walk(List<KStmt> stmts, Visit visit) {
    for (int i = 0; i < stmts.size(); i++) {
      visit.at(stmts, i);
      switch (stmts.get(i)) {
        case KStmt.Loop l -> walk(l.body(), visit);
        case KStmt.ForAll f -> walk(f.body(), visit);
        case KStmt.Reduce r -> walk(r.body(), visit);
        case KStmt.Contraction c -> {
          walk(c.prologue(), visit);
          walk(c.epilogue(), visit);
        }
        case KStmt.WeightedSum w -> {
          walk(w.body(), visit);
          walk(w.row().setup(), visit);
          walk(w.row().body(), visit);
        }
        case KStmt.OnlineSoftmax o -> {
          walk(o.body(), visit);
          o.dropout().ifPresent(d -> walk(d.body(), visit));
          walk(o.row().setup(), visit);
          walk(o.row().body(), visit);
        }
        default -> {}
      }
    }
  }

  /** The dot product that {@code list[i]} (its accumulator's declaration) and the contraction after it are, or null. */
  static RowSchedule.RowDot dot(List<KStmt> list, int i) {
    if (!(list.get(i) instanceof KStmt.Declare d) || d.dtype() != DType.F32 || i + 1 >= list.size()
        || !(list.get(i + 1) instanceof KStmt.Contraction c) || !c.accumulator().equals(d.var()) || c.axes().size() != 1
        || !(d.init() instanceof KExpr.Const zero) || Double.doubleToRawLongBits(zero.value()) != 0
        || c.prologue().size() != 2) {
      return null;
    }
    String r = c.axes().getFirst().var();
    KExpr.Load x = loadOf(c.left().value(), c.prologue());
    KExpr.Load y = loadOf(c.right().value(), c.prologue());
    if (x == null || y == null || x.dtype() != DType.F32 || y.dtype() != DType.F32) return null;
    KExpr xStart = AffineIndex.base(x.index(), r);
    KExpr yStart = AffineIndex.base(y.index(), r);
    if (xStart == null || yStart == null || AffineIndex.mentions(xStart, d.var()) || AffineIndex.mentions(yStart, d.var())
        || AffineIndex.mentions(c.axes().getFirst().extent(), d.var())) {
      return null;
    }
    return new RowSchedule.RowDot(d.var(), r, x.buffer(), xStart, y.buffer(), yStart, c.axes().getFirst().extent());
  }

  /** The load a prologue's {@code let} binds to {@code value}, or null. */
  private static KExpr.Load loadOf(KExpr value, List<KStmt> prologue) {
    if (!(value instanceof KExpr.Var v)) return null;
    for (KStmt s : prologue) {
      if (s instanceof KStmt.Let l && l.var().equals(v.name()) && l.value() instanceof KExpr.Load load) return load;
    }
    return null;
  }

  /** The weighted rows of {@code s}, a weighted sum or online softmax over one key; null when it has none. */
  static RowSchedule.WeightedRows weightedRows(KStmt s, Set<Buffer> written) {
    Axis key;
    KStmt.WeightedRow row;
    KExpr weight;
    KExpr scale;
    List<KStmt> body = new ArrayList<>();
    switch (s) {
      case KStmt.WeightedSum w when w.axes().size() == 1 -> {
        key = w.axes().getFirst();
        row = w.row();
        weight = w.weight().value();
        scale = null;
        body.addAll(w.body());
      }
      case KStmt.OnlineSoftmax o -> {
        key = o.key();
        row = o.row();
        weight = o.contribution();
        scale = o.rescaleVar();
        body.addAll(o.body());
        body.addAll(o.update());
      }
      default -> {
        return null;
      }
    }
    body.addAll(row.setup());
    String array = accumulator(s);
    String lane = row.lane().var();
    // The row's element is one plain f32 load, weighted (weight first) by a value the same along the lane.
    if (row.dtype() != DType.F32 || !row.weightFirst() || row.body().size() != 1 || !(row.body().getFirst() instanceof
        KStmt.Let let) || !(let.value() instanceof KExpr.Load load) || load.dtype() != DType.F32
        || !(row.value().value() instanceof KExpr.Var v) || !v.name().equals(let.var()) || !scalar(weight, lane, array)
        || weight instanceof KExpr.Var w && w.name().equals(let.var())
        || scale != null && (!scalar(scale, lane, array) || scale instanceof KExpr.Var sv && sv.name().equals(let.var()))) {
      return null;
    }
    KExpr xBase = AffineIndex.base(load.index(), lane);
    if (xBase == null || AffineIndex.mentions(row.lane().extent(), lane) || written.contains(load.buffer())
        || !AffineIndex.invariant(row.lane().extent())) {
      return null;
    }
    Set<String> bound = new HashSet<>();
    bind(body, bound);
    for (String name : ContractionPattern.names(xBase)) {
      if (bound.contains(name)) return null;
    }
    KExpr stride = AffineIndex.stride(xBase, key.var());
    if (stride == null) return null;
    return new RowSchedule.WeightedRows(key.var(), array, lane, weight, Optional.ofNullable(scale), load.buffer(),
        AffineIndex.substitute(xBase, key.var(), KExpr.Const.index(0)), stride, row.lane().extent(), false);
  }

  private static String accumulator(KStmt s) {
    return switch (s) {
      case KStmt.WeightedSum w -> w.accumulator();
      case KStmt.OnlineSoftmax o -> o.accumulator();
      default -> throw new IllegalArgumentException("not a weighted sum: " + s);
    };
  }

  /** A value the same on every iteration of the lane: an f32 literal, or an f32 variable other than the lane's. */
  private static boolean scalar(KExpr e, String lane, String array) {
    return switch (e) {
      case KExpr.Const c -> c.dtype() == DType.F32;
      case KExpr.Var v -> v.dtype() == DType.F32 && !v.name().equals(lane) && !v.name().equals(array);
      default -> false;
    };
  }

  /** Adds the names {@code stmts} bind (locals, loop variables, nested ones too) to {@code out}. */
  private static void bind(List<KStmt> stmts, Set<String> out) {
    for (KStmt s : Flatten.statements(stmts)) {
      switch (s) {
        case KStmt.Loop l -> {
          out.add(l.var());
          bind(l.body(), out);
        }
        case KStmt.Let l -> out.add(l.var());
        case KStmt.Declare d -> out.add(d.var());
        case KStmt.DeclareArray d -> out.add(d.var());
        default -> {}
      }
    }
  }

  /** The one axis of a statement that loops over keys directly in a row body, and its body; null for others. */
  private static Keyed keyed(KStmt s) {
    return switch (s) {
      case KStmt.OnlineSoftmax o -> new Keyed(o.key(), o.body());
      case KStmt.WeightedSum w when w.axes().size() == 1 -> new Keyed(w.axes().getFirst(), w.body());
      case KStmt.Reduce r when r.axes().size() == 1 -> new Keyed(r.axes().getFirst(), r.body());
      case KStmt.ForAll f when f.axes().size() == 1 -> new Keyed(f.axes().getFirst(), f.body());
      case KStmt.Loop l -> new Keyed(new Axis(l.var(), l.extent()), l.body());
      default -> null;
    };
  }

  private record Keyed(Axis key, List<KStmt> body) {}

  /**
   * The blocks of products of the row nest {@code nest} (rows: its last axis): the dot products of
   * its loops over keys with one operand's start affine in the row and the other's in the key, both
   * otherwise only in the outer axes, of buffers the kernel does not write.
   */
  private static List<RowSchedule.HoistedProduct> products(KStmt.ForAll nest, RowSchedule rows, Set<Buffer> written) {
    String rowVar = nest.axes().getLast().var();
    Set<String> outer = new HashSet<>();
    for (Axis a : nest.axes().subList(0, nest.axes().size() - 1)) outer.add(a.var());
    List<RowSchedule.HoistedProduct> found = new ArrayList<>();
    for (KStmt s : nest.body()) {
      Keyed k = keyed(s);
      if (k == null || !AffineIndex.invariant(k.key().extent())) continue;
      for (KStmt st : k.body()) {
        if (!(st instanceof KStmt.Declare d) || rows.dot(d.var()).isEmpty()) continue;
        RowSchedule.RowDot dot = rows.dot(d.var()).get();
        if (written.contains(dot.x()) || written.contains(dot.y())) continue;
        RowSchedule.HoistedProduct p = product(dot, rowVar, k.key(), outer);
        if (p == null) continue;
        int at = -1;
        for (int i = 0; i < found.size(); i++) if (found.get(i).sameProducts(p)) at = i;
        RowSchedule.Use use = new RowSchedule.Use(dot.accumulator(), k.key().var());
        if (at < 0) {
          found.add(p.withUses(List.of(use)));
        } else {
          List<RowSchedule.Use> uses = new ArrayList<>(found.get(at).uses());
          uses.add(use);
          found.set(at, found.get(at).withUses(uses));
        }
      }
    }
    return found;
  }

  private static RowSchedule.HoistedProduct product(RowSchedule.RowDot dot, String rowVar, Axis column, Set<String> outer) {
    if (!AffineIndex.invariant(dot.length())) return null;
    String columnVar = column.var();
    boolean xIsRow = AffineIndex.mentions(dot.xStart(), rowVar) && AffineIndex.mentions(dot.yStart(), columnVar);
    boolean yIsRow = AffineIndex.mentions(dot.yStart(), rowVar) && AffineIndex.mentions(dot.xStart(), columnVar);
    if (xIsRow == yIsRow) return null;
    Buffer rowBuffer = xIsRow ? dot.x() : dot.y();
    KExpr rowBase = xIsRow ? dot.xStart() : dot.yStart();
    Buffer columnBuffer = xIsRow ? dot.y() : dot.x();
    KExpr columnBase = xIsRow ? dot.yStart() : dot.xStart();
    Set<String> rowVars = new HashSet<>(outer);
    rowVars.add(rowVar);
    Set<String> columnVars = new HashSet<>(outer);
    columnVars.add(columnVar);
    if (!AffineIndex.indexOnly(rowBase, rowVars) || !AffineIndex.indexOnly(columnBase, columnVars)) return null;
    KExpr rowStride = AffineIndex.stride(rowBase, rowVar);
    KExpr columnStride = AffineIndex.stride(columnBase, columnVar);
    if (rowStride == null || columnStride == null) return null;
    KExpr zero = KExpr.Const.index(0);
    return new RowSchedule.HoistedProduct(rowBuffer, AffineIndex.substitute(rowBase, rowVar, zero), rowStride,
        columnBuffer, AffineIndex.substitute(columnBase, columnVar, zero), columnStride, column.extent(), dot.length(),
        List.of());
  }

  /** {@code rows} with the weighted rows of {@code nest}'s row body whose rows are the same for a whole block marked copied. */
  private static RowSchedule copiedPerBlock(RowSchedule rows, KStmt.ForAll nest) {
    Set<String> outer = new LinkedHashSet<>();
    for (Axis a : nest.axes().subList(0, nest.axes().size() - 1)) outer.add(a.var());
    Set<String> keys = new HashSet<>();
    for (KStmt s : nest.body()) {
      Keyed k = keyed(s);
      if (k != null && AffineIndex.invariant(k.key().extent())) keys.add(k.key().var());
    }
    List<RowSchedule.WeightedRows> out = new ArrayList<>();
    for (RowSchedule.WeightedRows w : rows.weighted()) {
      boolean copied = w.copied() || keys.contains(w.key()) && AffineIndex.indexOnly(w.start(), outer)
          && AffineIndex.invariant(w.stride());
      out.add(w.copied(copied));
    }
    return rows.withWeighted(out);
  }

  /** The whole-row program of {@code s}, a loop over keys directly in {@code block}'s row body; null when it has none. */
  private static RowSchedule.Vectorised vectorised(KStmt s, RowSchedule rows, RowSchedule.RowBlock block,
      Set<Buffer> written) {
    Keyed k = keyed(s);
    if (k == null || s instanceof KStmt.ForAll || s instanceof KStmt.Loop || !AffineIndex.invariant(k.key().extent())) {
      return null;
    }
    String key = k.key().var();
    Map<String, Integer> products = new HashMap<>();
    for (int p = 0; p < block.products().size(); p++) {
      for (RowSchedule.Use u : block.products().get(p).uses()) {
        if (u.columnAxis().equals(key)) products.put(u.accumulator(), p);
      }
    }
    switch (s) {
      case KStmt.WeightedSum w when rows.weightedRows(key).isPresent() -> {
        if (!w.row().setup().isEmpty()) return null;
        RowProgram program = RowProgram.of(key, w.body(), w.weight().value(), products, written);
        return program == null ? null : new RowSchedule.Vectorised(key, RowSchedule.Role.WEIGHTS, "", "", program);
      }
      case KStmt.OnlineSoftmax o when rows.weightedRows(key).isPresent() -> {
        // Only max and sum pass from key to key: the scores are a program, the rest one onlineSoftmax call.
        if (o.dropout().isPresent() || !o.row().setup().isEmpty() || !(o.score() instanceof KExpr.Var score)
            || score.name().equals(o.max()) || mentions(o.body(), o.max()) || mentions(o.body(), o.sum())) {
          return null;
        }
        RowProgram program = RowProgram.of(key, o.body(), score, products, written);
        return program == null ? null
            : new RowSchedule.Vectorised(key, RowSchedule.Role.SCORES, o.max(), o.sum(), program);
      }
      case KStmt.Reduce r when r.reducer() == Reducer.SUM && r.dtype() == DType.F32 -> {
        if (AffineIndex.mentions(r.value(), r.accumulator()) || mentions(r.body(), r.accumulator())) return null;
        RowProgram program = RowProgram.of(key, r.body(), r.value(), products, written);
        return program == null ? null
            : new RowSchedule.Vectorised(key, RowSchedule.Role.SUM_TERMS, "", r.accumulator(), program);
      }
      default -> {
        return null;
      }
    }
  }

  private static boolean mentions(List<KStmt> stmts, String name) {
    return Flatten.statements(stmts).stream().anyMatch(s -> RowProgram.mentions(s, name));
  }
}
