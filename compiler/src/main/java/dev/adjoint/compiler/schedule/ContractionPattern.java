package dev.adjoint.compiler.schedule;

import dev.adjoint.compiler.kernel.Axis;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.exec.gemm.Ownership;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A kernel's product as the CPU schedule runs it on the GEMM routine
 * ({@link dev.adjoint.runtime.exec.gemm.GemmF32}) and the Java backend prints it as one call of it,
 * read off the kernel's structured statements (not rediscovered from loops):
 *
 * <pre>
 *   let …                                   (prelude: sizes and constants)
 *   forall i0, i1 … { let …                 (output axes, lets between the maps)
 *     forall i2 … { let …
 *       var acc: f32 = 0.0
 *       contract acc = acc + x * y over r1, r2 { let … } then {
 *         let … ; out[…] = … ; sum[…] += …  (epilogue)
 *       }
 * </pre>
 *
 * The output axes split into batch, row and column axes by the operands' indices
 * ({@link KStmt.Contraction#dims}): an axis both operands vary along is a batch axis, one only the
 * right operand varies along a column, any other a row. When the innermost output axis is one only
 * the left operand varies along (a product stored transposed), the operands trade places, so that
 * columns stay the contiguous axis of the output. The contracted axes flatten into one reduction
 * index. Whatever the operands compute from loads (a transpose, a head split, a broadcast,
 * dropout) is evaluated while packing.
 *
 * @param prelude lets before the output maps
 * @param batches output axes both operands vary along, outermost first
 * @param rows output axes only the left operand varies along (or neither)
 * @param columns output axes only the right operand varies along
 * @param outerLets lets in the bodies of the output maps, in order
 * @param accumulator the name of the f32 accumulator
 * @param reduction the contracted axes, outermost first
 * @param reductionLets the contraction's prologue: lets that compute the operands
 * @param left the operand that varies with the rows: its value, its index, where it is read
 * @param right the operand that varies with the columns
 * @param epilogue the statements after the sum: lets, stores and accumulates
 * @param ownership which threads may finish which tiles, given the epilogue's accumulates
 * @param dependencies the axes (output and contracted) each let and the accumulator depend on
 */
public record ContractionPattern(List<KStmt.Let> prelude, List<Axis> batches, List<Axis> rows, List<Axis> columns,
    List<KStmt.Let> outerLets, String accumulator, List<Axis> reduction, List<KStmt.Let> reductionLets,
    KStmt.Operand left, KStmt.Operand right, List<KStmt> epilogue, Ownership ownership,
    Map<String, Set<String>> dependencies) {

  /** The outcome of looking at a kernel: a product, or the reason it is not one. */
  public sealed interface Recognition {}

  public record Product(ContractionPattern pattern) implements Recognition {}

  public record NotAProduct(String reason) implements Recognition {}

  private static final class Rejected extends Exception {
    Rejected(String reason) {
      super(reason, null, false, false);
    }
  }

  /** The loop variables (output and reduction) that a let's value depends on, through other lets. */
  public Set<String> dependsOn(String letName) {
    return dependencies.getOrDefault(letName, Set.of());
  }

  /** The loop variables an expression depends on, through lets. */
  public Set<String> dependsOn(KExpr e) {
    Set<String> out = new HashSet<>();
    collect(e, dependencies, out);
    return out;
  }

  /**
   * The product {@code kernel} is, or why it is not one. {@code kernel} is as lowering made it, with
   * its structured statements; a kernel at loop level has none, so it is not a product.
   */
  public static Recognition recognise(Kernel kernel) {
    try {
      return new Product(match(kernel));
    } catch (Rejected e) {
      return new NotAProduct(e.getMessage());
    }
  }

  private static ContractionPattern match(Kernel kernel) throws Rejected {
    for (Buffer b : kernel.writes()) {
      if (kernel.reads().contains(b)) throw new Rejected("it reads " + b.name() + ", which it also writes");
    }
    List<KStmt> body = kernel.body();
    List<KStmt.Let> prelude = new ArrayList<>();
    int i = 0;
    while (i < body.size() && body.get(i) instanceof KStmt.Let l) {
      prelude.add(l);
      i++;
    }
    if (i != body.size() - 1 || !(body.get(i) instanceof KStmt.ForAll top)) {
      throw new Rejected("its body is not one parallel loop nest");
    }
    Map<String, Set<String>> deps = new HashMap<>();
    Set<String> axisVars = new HashSet<>();
    for (KStmt.Let l : prelude) define(l, deps);

    // Output axes, with the lets between the maps.
    List<Axis> outputs = new ArrayList<>();
    List<KStmt.Let> outerLets = new ArrayList<>();
    KStmt.ForAll map = top;
    List<KStmt> rest;
    while (true) {
      for (Axis a : map.axes()) {
        requireInvariant(a);
        outputs.add(a);
        declareAxis(a.var(), axisVars, deps);
      }
      List<KStmt> b = map.body();
      int j = 0;
      while (j < b.size() && b.get(j) instanceof KStmt.Let l) {
        define(l, deps);
        outerLets.add(l);
        j++;
      }
      if (j == b.size() - 1 && b.get(j) instanceof KStmt.ForAll inner) {
        map = inner;
        continue;
      }
      rest = b.subList(j, b.size());
      break;
    }

    // The accumulator, then lets, then the contraction into it.
    if (rest.isEmpty() || !(rest.get(0) instanceof KStmt.Declare acc)) throw new Rejected("it declares no accumulator");
    if (acc.dtype() != DType.F32) throw new Rejected("its accumulator is " + acc.dtype() + ", not f32");
    if (!(acc.init() instanceof KExpr.Const zero) || zero.value() != 0 || Double.doubleToRawLongBits(zero.value()) != 0) {
      throw new Rejected("its accumulator does not start at 0");
    }
    int j = 1;
    while (j < rest.size() && rest.get(j) instanceof KStmt.Let l) {
      define(l, deps);
      outerLets.add(l);
      j++;
    }
    // A reduction of another kind into the accumulator (a sum of terms, a maximum) is rejected as
    // loops would be, in the same order: its axes, its body, what it folds into, then what it folds.
    KStmt next = j < rest.size() ? rest.get(j) : null;
    List<Axis> axes = switch (next) {
      case KStmt.Contraction c -> c.axes();
      case KStmt.Reduce r -> r.axes();
      case null, default -> List.of();
    };
    if (axes.isEmpty()) throw new Rejected("no reduction loop follows the accumulator");
    for (Axis a : axes) {
      requireInvariant(a);
      declareAxis(a.var(), axisVars, deps);
    }
    List<KStmt.Let> reductionLets = new ArrayList<>();
    for (KStmt s : next instanceof KStmt.Contraction c ? c.prologue() : ((KStmt.Reduce) next).body()) {
      if (!(s instanceof KStmt.Let l)) throw new Rejected("its reduction body is not lets and one sum");
      define(l, deps);
      reductionLets.add(l);
    }
    String into = next instanceof KStmt.Contraction c ? c.accumulator() : ((KStmt.Reduce) next).accumulator();
    if (!into.equals(acc.var())) throw new Rejected("its reduction body does not end in a sum into the accumulator");
    if (!(next instanceof KStmt.Contraction c)) throw new Rejected("its sum is not acc + x * y");
    if (c.dtype() != DType.F32) throw new Rejected("its factors are not f32");

    // The epilogue, which sees the finished sum as a value; statements after the contraction are part of it.
    deps.put(acc.var(), Set.of(acc.var()));
    List<KStmt> epilogue = new ArrayList<>(c.epilogue());
    epilogue.addAll(rest.subList(j + 1, rest.size()));
    for (KStmt s : epilogue) {
      switch (s) {
        case KStmt.Let l -> define(l, deps);
        case KStmt.Store st -> {}
        case KStmt.Accumulate a -> {}
        default -> throw new Rejected("its epilogue has a " + s.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT));
      }
    }
    for (KStmt s : epilogue) checkBound(s, deps);
    Set<String> x = new HashSet<>();
    collect(c.left().value(), deps, x);
    Set<String> y = new HashSet<>();
    collect(c.right().value(), deps, y);
    if (x.contains(acc.var()) || y.contains(acc.var())) throw new Rejected("a factor reads the accumulator");

    // Rows and columns by the operands' indices, columns innermost.
    String innermost = outputs.getLast().var();
    boolean swap = c.left().variables().contains(innermost) && !c.right().variables().contains(innermost);
    KStmt.Contraction oriented = swap
        ? new KStmt.Contraction(c.accumulator(), c.axes(), c.prologue(), c.right(), c.left(), c.epilogue())
        : c;
    KStmt.Dims dims = oriented.dims(outputs);
    if (dims.columns().isEmpty()) {
      throw new Rejected("no output loop varies with the right factor alone (a matrix-vector product)");
    }
    if (dims.rows().isEmpty()) {
      throw new Rejected("no output loop varies with the left factor alone (a matrix-vector product)");
    }

    Ownership ownership = ownership(epilogue, dims.rows(), dims.columns());
    return new ContractionPattern(List.copyOf(prelude), dims.batch(), dims.rows(), dims.columns(),
        List.copyOf(outerLets), acc.var(), dims.depth(), List.copyOf(reductionLets), oriented.left(),
        oriented.right(), List.copyOf(epilogue), ownership, Map.copyOf(deps));
  }

  /**
   * Which threads may finish which tiles. Accumulates into one location per column (the column
   * sums of a bias gradient, {@code out[i2] += …}) need each column's rows on one thread, in order;
   * one location per row needs each row's columns on one thread; anything else runs on one thread.
   */
  private static Ownership ownership(List<KStmt> epilogue, List<Axis> rows, List<Axis> columns) {
    Ownership result = Ownership.ANY;
    for (KStmt s : epilogue) {
      if (!(s instanceof KStmt.Accumulate a)) continue;
      Ownership needed;
      if (columns.size() == 1 && isVar(a.index(), columns.get(0).var())) needed = Ownership.COLUMNS;
      else if (rows.size() == 1 && isVar(a.index(), rows.get(0).var())) needed = Ownership.ROWS;
      else needed = Ownership.ONE_THREAD;
      if (result == Ownership.ANY) result = needed;
      else if (result != needed) result = Ownership.ONE_THREAD;
    }
    return result;
  }

  private static void requireInvariant(Axis axis) throws Rejected {
    if (!invariant(axis.extent())) throw new Rejected("the extent of loop " + axis.var() + " is not a size");
  }

  /** Whether {@code e} is fixed for the whole kernel: constants and sizes only. */
  static boolean invariant(KExpr e) {
    return switch (e) {
      case KExpr.Const c -> true;
      case KExpr.Size s -> true;
      case KExpr.Binary b -> invariant(b.a()) && invariant(b.b());
      default -> false;
    };
  }

  private static boolean isVar(KExpr e, String name) {
    return e instanceof KExpr.Var v && v.name().equals(name);
  }

  private static void declareAxis(String var, Set<String> axisVars, Map<String, Set<String>> deps) throws Rejected {
    if (!axisVars.add(var) || deps.containsKey(var)) throw new Rejected("it binds " + var + " twice");
    deps.put(var, Set.of(var));
  }

  private static void define(KStmt.Let let, Map<String, Set<String>> deps) throws Rejected {
    if (deps.containsKey(let.var())) throw new Rejected("it binds " + let.var() + " twice");
    Set<String> d = new LinkedHashSet<>();
    collectChecked(let.value(), deps, d);
    deps.put(let.var(), Set.copyOf(d));
  }

  private static void checkBound(KStmt s, Map<String, Set<String>> deps) throws Rejected {
    Set<String> ignored = new HashSet<>();
    switch (s) {
      case KStmt.Store st -> {
        collectChecked(st.index(), deps, ignored);
        collectChecked(st.value(), deps, ignored);
      }
      case KStmt.Accumulate a -> {
        collectChecked(a.index(), deps, ignored);
        collectChecked(a.value(), deps, ignored);
      }
      default -> {}
    }
  }

  /** Like {@link #collect}, but rejects a variable that is neither a loop variable nor a let seen so far. */
  private static void collectChecked(KExpr e, Map<String, Set<String>> deps, Set<String> out) throws Rejected {
    Set<String> names = new HashSet<>();
    names(e, names);
    for (String n : names) {
      Set<String> d = deps.get(n);
      if (d == null) throw new Rejected("it reads " + n + ", which is not a let or a loop variable here");
      out.addAll(d);
    }
    if (reachesArray(e)) throw new Rejected("it reads a local array");
  }

  private static void collect(KExpr e, Map<String, Set<String>> deps, Set<String> out) {
    Set<String> names = new HashSet<>();
    names(e, names);
    for (String n : names) out.addAll(deps.getOrDefault(n, Set.of()));
  }

  /** The variable names an expression reads. */
  public static Set<String> names(KExpr e) {
    Set<String> out = new HashSet<>();
    names(e, out);
    return out;
  }

  private static void names(KExpr e, Set<String> out) {
    if (e instanceof KExpr.Var v) out.add(v.name());
    for (KExpr child : e.children()) names(child, out);
  }

  private static boolean reachesArray(KExpr e) {
    return switch (e) {
      case KExpr.Const c -> false;
      case KExpr.Size s -> false;
      case KExpr.Var v -> false;
      case KExpr.Load l -> reachesArray(l.index());
      case KExpr.Element el -> true;
      case KExpr.Unary u -> reachesArray(u.x());
      case KExpr.Binary b -> reachesArray(b.a()) || reachesArray(b.b());
      case KExpr.Select s -> reachesArray(s.condition()) || reachesArray(s.a()) || reachesArray(s.b());
      case KExpr.Cast c -> reachesArray(c.x());
      case KExpr.Random r -> reachesArray(r.index());
    };
  }
}
