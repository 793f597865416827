package dev.adjoint.codegen.cuda;

import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelKind;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How one kernel maps onto the GPU: the per-target part of code generation. The kernel IR says
 * what is computed; the schedule says which thread computes it.
 *
 * <p>The kernel's outermost perfectly nested parallel loops (with extents fixed at launch) form the
 * <em>grid nest</em>, flattened into one range of iterations. Then either
 * <ul>
 *   <li>{@link Mapping#THREAD_PER_ITERATION}: each iteration runs on one thread, in a grid-stride
 *       loop (elementwise kernels, contractions computing one output per thread, and any body
 *       whose loops carry state from one iteration to the next, like an online softmax); or
 *   <li>{@link Mapping#BLOCK_PER_ITERATION}: each iteration (a row) runs on one block. The row's
 *       parallel loops are shared among the block's threads; its reduction loops
 *       ({@code acc = acc op e} with op one of + × max min) are split among the threads and
 *       combined with warp shuffles and a block reduction; the rest runs on every thread alike.
 *       Softmax, layer norm, RMS norm and cross-entropy rows take this path.
 * </ul>
 * A kernel whose body is not one parallel nest runs on a single thread. A contraction of the form
 * {@link ContractionTile} describes runs {@link Mapping#TILED_CONTRACTION}: a block per
 * {@value ContractionTile#TILE}×{@value ContractionTile#TILE} tile of outputs, operands staged in
 * shared memory.
 */
record CudaSchedule(Mapping mapping, List<KStmt.Loop> nest, List<KStmt> body, java.util.Optional<ContractionTile> tile) {
  enum Mapping { THREAD_PER_ITERATION, BLOCK_PER_ITERATION, TILED_CONTRACTION }

  /** How a loop of a row runs under {@link Mapping#BLOCK_PER_ITERATION}. */
  enum RowLoop {
    /** Parallel iterations that touch no state of the row: strided across the block's threads. */
    SHARED,
    /** {@code acc = acc op e} for accumulators of the row: per-thread partials, then a block reduction. */
    REDUCTION,
    /** Anything else: the block schedule does not apply. */
    NONE
  }

  CudaSchedule {
    nest = List.copyOf(nest);
    body = List.copyOf(body);
  }

  static CudaSchedule of(Kernel kernel) {
    List<KStmt.Loop> nest = new ArrayList<>();
    List<KStmt> body = kernel.body();
    while (body.size() == 1 && body.get(0) instanceof KStmt.Loop l && l.parallel() && invariant(l.extent())) {
      nest.add(l);
      body = l.body();
    }
    boolean hasLoops = false;
    boolean hasShared = false;
    boolean cooperative = !nest.isEmpty();
    for (KStmt s : body) {
      if (s instanceof KStmt.Loop l) {
        hasLoops = true;
        RowLoop kind = rowLoop(l);
        if (kind == RowLoop.NONE) cooperative = false;
        if (kind == RowLoop.SHARED) hasShared = true;
      } else if (s instanceof KStmt.Accumulate) {
        // Every thread of the block runs row-level statements: an add there would count once per thread.
        cooperative = false;
      }
    }
    // A contraction whose outputs each reduce one short row computes an output per thread; rows of
    // softmax, norms and losses, and rows with an inner parallel loop, get a block.
    boolean block = hasLoops && cooperative && (hasShared || kernel.kind() != KernelKind.CONTRACTION);
    if (block) return new CudaSchedule(Mapping.BLOCK_PER_ITERATION, nest, body, java.util.Optional.empty());
    java.util.Optional<ContractionTile> tile = ContractionTile.match(nest, body);
    if (tile.isPresent()) return new CudaSchedule(Mapping.TILED_CONTRACTION, nest, body, tile);
    return new CudaSchedule(Mapping.THREAD_PER_ITERATION, nest, body, java.util.Optional.empty());
  }

  /** Whether an extent is fixed for the whole launch: literals and sizes only. */
  static boolean invariant(KExpr e) {
    return switch (e) {
      case KExpr.Const c -> true;
      case KExpr.Size s -> true;
      case KExpr.Binary b -> (b.fn() == Fn.ADD || b.fn() == Fn.SUB || b.fn() == Fn.MUL) && invariant(b.a())
          && invariant(b.b());
      default -> false;
    };
  }

  /** The value of an invariant extent at the given sizes. */
  static long evaluate(KExpr e, Map<String, Long> sizes) {
    return switch (e) {
      case KExpr.Const c -> (long) c.value();
      case KExpr.Size s -> s.dim().evaluate(sizes);
      case KExpr.Binary b -> switch (b.fn()) {
        case ADD -> evaluate(b.a(), sizes) + evaluate(b.b(), sizes);
        case SUB -> evaluate(b.a(), sizes) - evaluate(b.b(), sizes);
        case MUL -> evaluate(b.a(), sizes) * evaluate(b.b(), sizes);
        default -> throw new IllegalArgumentException("not a launch-time extent: " + b);
      };
      default -> throw new IllegalArgumentException("not a launch-time extent: " + e);
    };
  }

  /** Iterations of the grid nest at the given sizes: rows for a block schedule, threads' work otherwise. */
  long iterations(Map<String, Long> sizes) {
    long n = 1;
    for (int k = 0; k < nest.size(); k++) {
      long extent = Math.max(0, evaluate(nest.get(k).extent(), sizes));
      // A tiled contraction's unit of work is a tile of its last two loops.
      boolean tiled = mapping == Mapping.TILED_CONTRACTION && k >= nest.size() - 2;
      n *= tiled ? (extent + ContractionTile.TILE - 1) / ContractionTile.TILE : extent;
    }
    return n;
  }

  static RowLoop rowLoop(KStmt.Loop loop) {
    List<String> written = new ArrayList<>();
    Set<String> read = new HashSet<>();
    outerEffects(loop.body(), new HashSet<>(Set.of(loop.var())), written, read);
    if (loop.parallel()) return written.isEmpty() ? RowLoop.SHARED : RowLoop.NONE;
    List<KStmt.Assign> updates = reductionUpdates(loop);
    if (updates == null || updates.isEmpty()) return RowLoop.NONE;
    Set<String> accumulators = new HashSet<>();
    for (KStmt.Assign a : updates) {
      if (!accumulators.add(a.var())) return RowLoop.NONE;
    }
    // Nothing else may write the row's state, and the accumulators may be read only by their updates.
    if (written.size() != accumulators.size()) return RowLoop.NONE;
    Set<String> readElsewhere = new HashSet<>();
    for (KStmt s : loop.body()) {
      if (s instanceof KStmt.Assign a && updates.contains(a)) {
        readVars(operand(a), readElsewhere);
      } else {
        outerEffects(List.of(s), new HashSet<>(), new ArrayList<>(), readElsewhere);
      }
    }
    for (String acc : accumulators) if (readElsewhere.contains(acc)) return RowLoop.NONE;
    return RowLoop.REDUCTION;
  }

  /** The loop's top-level assignments if each has the form {@code v = v op e} or {@code v = e op v}; else null. */
  static List<KStmt.Assign> reductionUpdates(KStmt.Loop loop) {
    List<KStmt.Assign> out = new ArrayList<>();
    Set<String> declaredInside = new HashSet<>();
    for (KStmt s : loop.body()) {
      if (s instanceof KStmt.Declare d) declaredInside.add(d.var());
      if (!(s instanceof KStmt.Assign a) || declaredInside.contains(a.var())) continue;
      if (combiner(a) == null) return null;
      out.add(a);
    }
    return out;
  }

  /** The op of {@code v = v op e}: add, mul, max or min on a number type; else null. */
  static Fn combiner(KStmt.Assign a) {
    if (!(a.value() instanceof KExpr.Binary b)) return null;
    if (b.fn() != Fn.ADD && b.fn() != Fn.MUL && b.fn() != Fn.MAX && b.fn() != Fn.MIN) return null;
    if (b.a().dtype() == DType.BOOL) return null;
    boolean left = b.a() instanceof KExpr.Var v && v.name().equals(a.var());
    boolean right = b.b() instanceof KExpr.Var v && v.name().equals(a.var());
    return left != right ? b.fn() : null;
  }

  /** The {@code e} of {@code v = v op e}. */
  static KExpr operand(KStmt.Assign a) {
    KExpr.Binary b = (KExpr.Binary) a.value();
    return b.a() instanceof KExpr.Var v && v.name().equals(a.var()) ? b.b() : b.a();
  }

  /**
   * Scalars and arrays declared outside {@code stmts} that they assign ({@code written}) or read
   * ({@code read}); {@code local} holds the names declared inside so far.
   */
  private static void outerEffects(List<KStmt> stmts, Set<String> local, List<String> written, Set<String> read) {
    Set<String> scope = new HashSet<>(local);
    for (KStmt s : stmts) {
      switch (s) {
        case KStmt.Loop l -> {
          readVars(l.extent(), read, scope);
          Set<String> inner = new HashSet<>(scope);
          inner.add(l.var());
          outerEffects(l.body(), inner, written, read);
        }
        case KStmt.Let l -> {
          readVars(l.value(), read, scope);
          scope.add(l.var());
        }
        case KStmt.Declare d -> {
          readVars(d.init(), read, scope);
          scope.add(d.var());
        }
        case KStmt.Assign a -> {
          readVars(a.value(), read, scope);
          if (!scope.contains(a.var())) written.add(a.var());
        }
        case KStmt.DeclareArray d -> {
          readVars(d.length(), read, scope);
          readVars(d.init(), read, scope);
          scope.add(d.var());
        }
        case KStmt.AssignElement a -> {
          readVars(a.index(), read, scope);
          readVars(a.value(), read, scope);
          if (!scope.contains(a.array())) written.add(a.array());
        }
        case KStmt.Store st -> {
          readVars(st.index(), read, scope);
          readVars(st.value(), read, scope);
        }
        case KStmt.Structured st -> throw new IllegalStateException("the emitter takes flattened kernels, not a "
            + st.getClass().getSimpleName());
        case KStmt.Accumulate ac -> {
          readVars(ac.index(), read, scope);
          readVars(ac.value(), read, scope);
        }
      }
    }
  }

  private static void readVars(KExpr e, Set<String> out) {
    readVars(e, out, Set.of());
  }

  private static void readVars(KExpr e, Set<String> out, Set<String> local) {
    switch (e) {
      case KExpr.Var v -> {
        if (!local.contains(v.name())) out.add(v.name());
      }
      case KExpr.Element el -> {
        if (!local.contains(el.array())) out.add(el.array());
        readVars(el.index(), out, local);
      }
      case KExpr.Load l -> readVars(l.index(), out, local);
      case KExpr.Unary u -> readVars(u.x(), out, local);
      case KExpr.Binary b -> {
        readVars(b.a(), out, local);
        readVars(b.b(), out, local);
      }
      case KExpr.Select s -> {
        readVars(s.condition(), out, local);
        readVars(s.a(), out, local);
        readVars(s.b(), out, local);
      }
      case KExpr.Cast c -> readVars(c.x(), out, local);
      case KExpr.Random r -> readVars(r.index(), out, local);
      case KExpr.Const c -> {}
      case KExpr.Size s -> {}
    }
  }
}
