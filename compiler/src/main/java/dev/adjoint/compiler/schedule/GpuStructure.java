package dev.adjoint.compiler.schedule;

import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.kernel.Axis;
import dev.adjoint.compiler.kernel.Flatten;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelKind;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A kernel's structure as the CUDA rules read it, from its structured statements: the grid (the
 * axes of its top map whose extents are fixed at launch), what each point of the grid runs, how a
 * block per row would run it ({@link Row}: maps strided across the block's threads, reductions and
 * contractions over one axis combined across them), and the tiled product it is, if one: a
 * {@link KStmt.Contraction} over one axis inside the map over its outputs, the last two axes its
 * rows and columns, its operands on the sides their index maps name, each computed from its own
 * side's axes and the depth alone.
 *
 * @param grid the grid's axes, outermost first; empty when the kernel is not one map
 * @param body what one point of the grid runs (the whole kernel when there is no grid)
 * @param rows the body as a block per row runs it
 * @param cooperative whether a block per row can run the body: every loop of the row is shared or a
 *     reduction, and no {@code +=} runs on every thread of the row
 * @param product the tiled product, if the kernel is one
 */
public record GpuStructure(List<Axis> grid, List<KStmt> body, List<Row> rows, boolean cooperative,
    Optional<TiledProduct> product) {
  public GpuStructure {
    grid = List.copyOf(grid);
    body = List.copyOf(body);
    rows = List.copyOf(rows);
  }

  /** One step of a row under a block per row. */
  public sealed interface Row {
    /** A map over {@code axis} (the rest of the map inside {@code body}) that writes nothing of the row: strided across the threads. */
    record Shared(Axis axis, List<KStmt> body) implements Row {}

    /** {@code accumulator = accumulator op value} over {@code axis} after {@code body}: per-thread partials, then a block reduction. */
    record Reduction(String accumulator, Fn combine, Axis axis, List<KStmt> body, KExpr value) implements Row {}

    /** Anything else: every thread runs it (a loop here makes the row not cooperative). */
    record Statement(KStmt statement) implements Row {}
  }

  /**
   * The product a block computes a tile of: {@code rows × columns} outputs (the grid's last two
   * axes; {@code batch} the others), each {@code accumulator + a · b} over {@code depth} (written
   * {@code b · a} when {@code swapped}), {@code a} computed by {@code aLets} from (batch, row,
   * depth), {@code b} by {@code bLets} from (batch, column, depth); {@code perOutput} and
   * {@code epilogue} run once per output.
   */
  public record TiledProduct(List<Axis> batch, Axis rows, Axis columns, List<KStmt.Let> perOutput,
      KStmt.Declare accumulator, Axis depth, KExpr a, KExpr b, List<KStmt.Let> aLets, List<KStmt.Let> bLets,
      boolean swapped, List<KStmt> epilogue) {
    public TiledProduct {
      batch = List.copyOf(batch);
      perOutput = List.copyOf(perOutput);
      aLets = List.copyOf(aLets);
      bLets = List.copyOf(bLets);
      epilogue = List.copyOf(epilogue);
    }
  }

  /** The structure of a kernel (structured statements, as lowering produces them). */
  public static GpuStructure of(Kernel kernel) {
    List<Axis> grid = new ArrayList<>();
    List<KStmt> body = kernel.body();
    while (body.size() == 1) {
      List<Axis> axes = switch (body.get(0)) {
        case KStmt.ForAll f -> f.axes();
        case KStmt.Loop l when l.parallel() -> List.of(new Axis(l.var(), l.extent()));
        default -> List.of();
      };
      int fixed = 0;
      while (fixed < axes.size() && invariant(axes.get(fixed).extent())) fixed++;
      if (fixed == 0) break;
      grid.addAll(axes.subList(0, fixed));
      List<KStmt> inner = body.get(0) instanceof KStmt.ForAll f ? f.body() : ((KStmt.Loop) body.get(0)).body();
      if (fixed < axes.size()) {
        body = List.of(new KStmt.ForAll(axes.subList(fixed, axes.size()), inner));
        break;
      }
      body = inner;
    }
    List<Row> rows = new ArrayList<>();
    boolean hasLoops = false;
    boolean hasShared = false;
    boolean cooperative = !grid.isEmpty();
    for (KStmt s : body) {
      List<Row> steps = rowSteps(s);
      for (Row r : steps) {
        switch (r) {
          case Row.Shared sh -> hasShared = hasLoops = true;
          case Row.Reduction red -> hasLoops = true;
          case Row.Statement st -> {
            if (st.statement() instanceof KStmt.Loop || st.statement() instanceof KStmt.Structured) {
              hasLoops = true;
              cooperative = false;
            }
            // Every thread of the block runs row-level statements: an add there would count once per thread.
            if (st.statement() instanceof KStmt.Accumulate) cooperative = false;
          }
        }
      }
      rows.addAll(steps);
    }
    Optional<TiledProduct> product = tiled(grid, body);
    // A contraction whose outputs each reduce one short row computes an output per thread; rows of
    // softmax, norms and losses, and rows with a map of their own, get a block.
    boolean block = hasLoops && cooperative && (hasShared || kernel.kind() != KernelKind.CONTRACTION);
    return new GpuStructure(grid, body, rows, block, product);
  }

  /** How a block per row runs one statement of the row. */
  private static List<Row> rowSteps(KStmt s) {
    switch (s) {
      case KStmt.ForAll f when writes(List.of(f)).isEmpty() -> {
        Axis first = f.axes().get(0);
        List<KStmt> rest = f.axes().size() == 1 ? f.body() : List.of(new KStmt.ForAll(f.axes().subList(1, f.axes().size()), f.body()));
        return List.of(new Row.Shared(first, rest));
      }
      case KStmt.Loop l when l.parallel() && writes(List.of(l)).isEmpty() ->
          {
            return List.of(new Row.Shared(new Axis(l.var(), l.extent()), l.body()));
          }
      case KStmt.Reduce r when reduction(r.accumulator(), r.axes(), r.body(), r.value()) -> {
        return List.of(new Row.Reduction(r.accumulator(), r.reducer().combine(), r.axes().get(0), r.body(), r.value()));
      }
      case KStmt.Contraction c when reduction(c.accumulator(), c.axes(), c.prologue(), c.product()) -> {
        List<Row> out = new ArrayList<>();
        out.add(new Row.Reduction(c.accumulator(), Fn.ADD, c.axes().get(0), c.prologue(), c.product()));
        for (KStmt e : c.epilogue()) out.add(new Row.Statement(e));
        return out;
      }
      default -> {
        return List.of(new Row.Statement(s));
      }
    }
  }

  /** A fold over one axis whose steps write nothing but the accumulator, which nothing else reads. */
  private static boolean reduction(String accumulator, List<Axis> axes, List<KStmt> body, KExpr value) {
    if (axes.size() != 1 || value.dtype() == DType.BOOL || !writes(body).isEmpty()) return false;
    Set<String> read = new HashSet<>();
    reads(Flatten.statements(body), read);
    readVars(value, read);
    return !read.contains(accumulator);
  }

  private static Optional<TiledProduct> tiled(List<Axis> grid, List<KStmt> body) {
    if (grid.size() < 2) return Optional.empty();
    Axis rows = grid.get(grid.size() - 2);
    Axis columns = grid.get(grid.size() - 1);
    int i = 0;
    List<KStmt.Let> perOutput = new ArrayList<>();
    while (i < body.size() && body.get(i) instanceof KStmt.Let let) {
      perOutput.add(let);
      i++;
    }
    if (i + 1 >= body.size() || !(body.get(i) instanceof KStmt.Declare acc) || !(acc.init() instanceof KExpr.Const)
        || !(body.get(i + 1) instanceof KStmt.Contraction c) || !c.accumulator().equals(acc.var())
        || c.axes().size() != 1 || !invariant(c.axes().get(0).extent()) || c.dtype() != acc.dtype()) {
      return Optional.empty();
    }
    List<KStmt> epilogue = new ArrayList<>(c.epilogue());
    epilogue.addAll(body.subList(i + 2, body.size()));
    if (epilogue.stream().anyMatch(s -> s instanceof KStmt.Loop || s instanceof KStmt.Structured)) return Optional.empty();
    Set<String> sides = new HashSet<>();
    for (Axis a : grid.subList(0, grid.size() - 2)) sides.add(a.var());
    sides.add(rows.var());
    sides.add(columns.var());
    sides.add(c.axes().get(0).var());
    Map<String, KStmt.Let> lets = new HashMap<>();
    Map<String, Set<String>> letDeps = new HashMap<>();
    for (KStmt s : c.prologue()) {
      if (!(s instanceof KStmt.Let let)) return Optional.empty();
      Set<String> deps = new HashSet<>();
      if (!dependencies(let.value(), sides, letDeps, deps)) return Optional.empty();
      letDeps.put(let.var(), deps);
      lets.put(let.var(), let);
    }
    Set<String> da = new HashSet<>();
    Set<String> db = new HashSet<>();
    if (!dependencies(c.left().value(), sides, letDeps, da) || !dependencies(c.right().value(), sides, letDeps, db)) {
      return Optional.empty();
    }
    // The sides from the operands' index maps: the row operand is the one indexed by the rows.
    boolean swapped = c.left().variables().contains(columns.var()) || c.right().variables().contains(rows.var());
    KExpr a = swapped ? c.right().value() : c.left().value();
    KExpr b = swapped ? c.left().value() : c.right().value();
    if ((swapped ? db : da).contains(columns.var()) || (swapped ? da : db).contains(rows.var())) return Optional.empty();
    return Optional.of(new TiledProduct(grid.subList(0, grid.size() - 2), rows, columns, perOutput, acc, c.axes().get(0),
        a, b, letsFor(a, c.prologue(), lets), letsFor(b, c.prologue(), lets), swapped, epilogue));
  }

  /** Whether an extent is fixed for the whole launch: literals and sizes, added, subtracted and multiplied. */
  public static boolean invariant(KExpr e) {
    return switch (e) {
      case KExpr.Const c -> true;
      case KExpr.Size s -> true;
      case KExpr.Binary b -> (b.fn() == Fn.ADD || b.fn() == Fn.SUB || b.fn() == Fn.MUL) && invariant(b.a())
          && invariant(b.b());
      default -> false;
    };
  }

  /**
   * Adds to {@code out} the axes {@code e} depends on, through the prologue's lets; false when it
   * reads anything else (a let of the output, the accumulator, a local array, a random draw).
   */
  private static boolean dependencies(KExpr e, Set<String> axes, Map<String, Set<String>> letDeps, Set<String> out) {
    return switch (e) {
      case KExpr.Var v -> {
        if (axes.contains(v.name())) {
          out.add(v.name());
          yield true;
        }
        Set<String> deps = letDeps.get(v.name());
        if (deps == null) yield false;
        out.addAll(deps);
        yield true;
      }
      case KExpr.Element el -> false;
      case KExpr.Random r -> false;
      default -> e.children().stream().allMatch(x -> dependencies(x, axes, letDeps, out));
    };
  }

  /** The lets of the prologue that {@code e} needs, in order. */
  private static List<KStmt.Let> letsFor(KExpr e, List<KStmt> prologue, Map<String, KStmt.Let> lets) {
    Set<String> needed = new HashSet<>();
    collect(e, lets, needed);
    List<KStmt.Let> out = new ArrayList<>();
    for (KStmt s : prologue) if (s instanceof KStmt.Let let && needed.contains(let.var())) out.add(let);
    return out;
  }

  private static void collect(KExpr e, Map<String, KStmt.Let> lets, Set<String> needed) {
    if (e instanceof KExpr.Var v) {
      KStmt.Let let = lets.get(v.name());
      if (let != null && needed.add(v.name())) collect(let.value(), lets, needed);
    }
    for (KExpr x : e.children()) collect(x, lets, needed);
  }

  /** The scalars and arrays declared outside {@code stmts} that they assign. */
  private static Set<String> writes(List<KStmt> stmts) {
    Set<String> out = new HashSet<>();
    writes(Flatten.statements(stmts), new HashSet<>(), out);
    return out;
  }

  private static void writes(List<KStmt> stmts, Set<String> outerLocal, Set<String> out) {
    Set<String> local = new HashSet<>(outerLocal);
    for (KStmt s : stmts) {
      switch (s) {
        case KStmt.Loop l -> writes(l.body(), local, out);
        case KStmt.Let l -> local.add(l.var());
        case KStmt.Declare d -> local.add(d.var());
        case KStmt.DeclareArray d -> local.add(d.var());
        case KStmt.Assign a -> {
          if (!local.contains(a.var())) out.add(a.var());
        }
        case KStmt.AssignElement a -> {
          if (!local.contains(a.array())) out.add(a.array());
        }
        default -> {}
      }
    }
  }

  /** The names loop-level {@code stmts} read. */
  private static void reads(List<KStmt> stmts, Set<String> out) {
    for (KStmt s : stmts) {
      switch (s) {
        case KStmt.Loop l -> {
          readVars(l.extent(), out);
          reads(l.body(), out);
        }
        case KStmt.Let l -> readVars(l.value(), out);
        case KStmt.Declare d -> readVars(d.init(), out);
        case KStmt.Assign a -> readVars(a.value(), out);
        case KStmt.DeclareArray d -> {
          readVars(d.length(), out);
          readVars(d.init(), out);
        }
        case KStmt.AssignElement a -> {
          readVars(a.index(), out);
          readVars(a.value(), out);
        }
        case KStmt.Store st -> {
          readVars(st.index(), out);
          readVars(st.value(), out);
        }
        case KStmt.Accumulate ac -> {
          readVars(ac.index(), out);
          readVars(ac.value(), out);
        }
        case KStmt.Structured st -> reads(Flatten.statements(List.of(st)), out);
      }
    }
  }

  private static void readVars(KExpr e, Set<String> out) {
    if (e instanceof KExpr.Var v) out.add(v.name());
    if (e instanceof KExpr.Element el) out.add(el.array());
    for (KExpr x : e.children()) readVars(x, out);
  }
}
