package dev.adjoint.compiler.schedule;

import dev.adjoint.compiler.ir.Binary.Fn;
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
 * A kernel recognised as a batched matrix product with fused operands and epilogue, the shape
 * the CPU schedule runs on the GEMM routine ({@link dev.adjoint.runtime.exec.gemm.GemmF32}) and the
 * Java backend prints as one call of it:
 *
 * <pre>
 *   let …                                   (prelude: sizes and constants)
 *   parallel for i0 … { let …               (output loops, lets between them)
 *     parallel for i2 … { let …
 *       var acc: f32 = 0.0
 *       for r1 … { for r2 … { let …; acc = acc + x * y } }
 *       let … ; out[…] = … ; sum[…] += …    (epilogue)
 * </pre>
 *
 * Each output loop is a <em>batch</em> loop when both factors {@code x} and {@code y} depend on it,
 * a <em>row</em> loop when only the left factor does, and a <em>column</em> loop otherwise; the
 * reduction loops flatten into one reduction index. Whatever the factors compute from loads (a
 * transpose, a head split, a broadcast, dropout) is evaluated while packing.
 *
 * @param prelude lets before the output loops
 * @param batches output loops both factors depend on, outermost first
 * @param rows output loops only the left factor depends on (or neither)
 * @param columns output loops only the right factor depends on
 * @param outerLets lets in the bodies of the output loops, in order
 * @param accumulator the name of the f32 accumulator
 * @param reduction the reduction loops, outermost first
 * @param reductionLets lets of the innermost reduction body
 * @param left the factor that varies with the rows
 * @param right the factor that varies with the columns
 * @param epilogue the statements after the reduction: lets, stores and accumulates
 * @param ownership which threads may finish which tiles, given the epilogue's accumulates
 */
public record ContractionPattern(List<KStmt.Let> prelude, List<KStmt.Loop> batches, List<KStmt.Loop> rows,
    List<KStmt.Loop> columns, List<KStmt.Let> outerLets, String accumulator, List<KStmt.Loop> reduction,
    List<KStmt.Let> reductionLets, KExpr left, KExpr right, List<KStmt> epilogue, Ownership ownership,
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

  /** The product {@code kernel} is, or why it is not one. */
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
    if (i != body.size() - 1 || !(body.get(i) instanceof KStmt.Loop top) || !top.parallel()) {
      throw new Rejected("its body is not one parallel loop nest");
    }
    Map<String, Set<String>> deps = new HashMap<>();
    Set<String> loopVars = new HashSet<>();
    for (KStmt.Let l : prelude) define(l, deps);

    // Output loops, with the lets between them.
    List<KStmt.Loop> outer = new ArrayList<>();
    List<KStmt.Let> outerLets = new ArrayList<>();
    KStmt.Loop loop = top;
    List<KStmt> rest;
    while (true) {
      requireInvariant(loop);
      outer.add(loop);
      declareLoopVar(loop.var(), loopVars, deps);
      List<KStmt> b = loop.body();
      int j = 0;
      while (j < b.size() && b.get(j) instanceof KStmt.Let l) {
        define(l, deps);
        outerLets.add(l);
        j++;
      }
      if (j == b.size() - 1 && b.get(j) instanceof KStmt.Loop inner && inner.parallel()) {
        loop = inner;
        continue;
      }
      rest = b.subList(j, b.size());
      break;
    }

    // The accumulator, then lets, then the reduction nest.
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
    if (j >= rest.size() || !(rest.get(j) instanceof KStmt.Loop first) || first.parallel()) {
      throw new Rejected("no reduction loop follows the accumulator");
    }
    List<KStmt.Loop> reduction = new ArrayList<>();
    KStmt.Loop r = first;
    while (true) {
      requireInvariant(r);
      reduction.add(r);
      declareLoopVar(r.var(), loopVars, deps);
      if (r.body().size() == 1 && r.body().get(0) instanceof KStmt.Loop inner && !inner.parallel()) {
        r = inner;
        continue;
      }
      break;
    }
    List<KStmt> inner = r.body();
    List<KStmt.Let> reductionLets = new ArrayList<>();
    for (int k = 0; k < inner.size() - 1; k++) {
      if (!(inner.get(k) instanceof KStmt.Let l)) throw new Rejected("its reduction body is not lets and one sum");
      define(l, deps);
      reductionLets.add(l);
    }
    if (inner.isEmpty() || !(inner.getLast() instanceof KStmt.Assign sum) || !sum.var().equals(acc.var())) {
      throw new Rejected("its reduction body does not end in a sum into the accumulator");
    }
    KExpr.Binary product = productAdded(sum.value(), acc.var());
    if (product == null) throw new Rejected("its sum is not acc + x * y");
    if (product.a().dtype() != DType.F32 || product.b().dtype() != DType.F32) {
      throw new Rejected("its factors are not f32");
    }

    // The epilogue, which sees the finished sum as a value.
    deps.put(acc.var(), Set.of(acc.var()));
    List<KStmt> epilogue = new ArrayList<>(rest.subList(j + 1, rest.size()));
    for (KStmt s : epilogue) {
      switch (s) {
        case KStmt.Let l -> define(l, deps);
        case KStmt.Store st -> {}
        case KStmt.Structured st -> throw new IllegalStateException("the emitter takes flattened kernels, not a "
            + st.getClass().getSimpleName());
        case KStmt.Accumulate a -> {}
        default -> throw new Rejected("its epilogue has a " + s.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT));
      }
    }
    for (KStmt s : epilogue) checkBound(s, deps);

    // Classify the output loops by the factors' dependencies.
    Set<String> x = new HashSet<>();
    collect(product.a(), deps, x);
    Set<String> y = new HashSet<>();
    collect(product.b(), deps, y);
    if (x.contains(acc.var()) || y.contains(acc.var())) throw new Rejected("a factor reads the accumulator");
    String innermost = outer.getLast().var();
    boolean swap = x.contains(innermost) && !y.contains(innermost);
    KExpr left = swap ? product.b() : product.a();
    KExpr right = swap ? product.a() : product.b();
    Set<String> leftDeps = swap ? y : x;
    Set<String> rightDeps = swap ? x : y;
    List<KStmt.Loop> batches = new ArrayList<>();
    List<KStmt.Loop> rows = new ArrayList<>();
    List<KStmt.Loop> columns = new ArrayList<>();
    for (KStmt.Loop o : outer) {
      boolean l = leftDeps.contains(o.var());
      boolean rt = rightDeps.contains(o.var());
      if (l && rt) batches.add(o);
      else if (rt) columns.add(o);
      else rows.add(o);
    }
    if (columns.isEmpty()) throw new Rejected("no output loop varies with the right factor alone (a matrix-vector product)");
    if (rows.isEmpty()) throw new Rejected("no output loop varies with the left factor alone (a matrix-vector product)");

    Ownership ownership = ownership(epilogue, deps, rows, columns);
    return new ContractionPattern(List.copyOf(prelude), List.copyOf(batches), List.copyOf(rows), List.copyOf(columns),
        List.copyOf(outerLets), acc.var(), List.copyOf(reduction), List.copyOf(reductionLets), left, right,
        List.copyOf(epilogue), ownership, Map.copyOf(deps));
  }

  /**
   * Which threads may finish which tiles. Accumulates into one location per column (the column
   * sums of a bias gradient, {@code out[i2] += …}) need each column's rows on one thread, in order;
   * one location per row needs each row's columns on one thread; anything else runs on one thread.
   */
  private static Ownership ownership(List<KStmt> epilogue, Map<String, Set<String>> deps, List<KStmt.Loop> rows,
      List<KStmt.Loop> columns) {
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

  /** {@code x * y} when {@code value} is {@code acc + x * y} or {@code x * y + acc}. */
  private static KExpr.Binary productAdded(KExpr value, String acc) {
    if (!(value instanceof KExpr.Binary add) || add.fn() != Fn.ADD || add.dtype() != DType.F32) return null;
    if (isVar(add.a(), acc) && add.b() instanceof KExpr.Binary m && m.fn() == Fn.MUL) return m;
    if (isVar(add.b(), acc) && add.a() instanceof KExpr.Binary m && m.fn() == Fn.MUL) return m;
    return null;
  }

  private static void requireInvariant(KStmt.Loop loop) throws Rejected {
    if (!invariant(loop.extent())) throw new Rejected("the extent of loop " + loop.var() + " is not a size");
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

  private static void declareLoopVar(String var, Set<String> loopVars, Map<String, Set<String>> deps) throws Rejected {
    if (!loopVars.add(var) || deps.containsKey(var)) throw new Rejected("it binds " + var + " twice");
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
      case KStmt.Structured st -> throw new IllegalStateException("the emitter takes flattened kernels, not a "
          + st.getClass().getSimpleName());
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
