package dev.adjoint.compiler.schedule;

import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the schedule rules read of a kernel, worked out once: its kind, whether it is a product
 * (and if not, why), its top-level parallel loop nest, how it adds into buffers, and whether it
 * keeps a running maximum (the online softmax).
 *
 * <p>The kernel IR is flat loops today, so these are found by looking at the loops; once lowering
 * keeps a kernel's structure, they are read off it instead, and the rules stay as they are.
 *
 * @param kind the fusion's name for the kernel ({@code contraction}, {@code attention}, ...)
 * @param product the product it is, if it is one
 * @param notAProduct why a contraction kernel is not a product the GEMM runs ("" otherwise)
 * @param nest the perfectly nested parallel loops at the top (after lets), outermost first; empty when the
 *     body is not one parallel loop
 * @param adds how the kernel adds into buffers ({@code +=})
 * @param splitLoop with {@link Adds#OWN_INDEX}: the parallel loop whose index the adds are at ("" otherwise)
 * @param runningMaximum whether a loop keeps a running maximum ({@code m = max(m, x)}): an online softmax
 * @param gpu the kernel's structure as the CUDA rules read it (grid, rows, tiled product)
 * @param kernel the kernel as given, its structured statements kept: what the row rules ({@link RowRules}) read
 */
public record KernelFacts(String name, KernelKind kind, Optional<ContractionPattern> product, String notAProduct,
    List<KStmt.Loop> nest, Adds adds, String splitLoop, boolean runningMaximum, GpuStructure gpu, Kernel kernel) {
  /** How a kernel adds into buffers. */
  public enum Adds {
    /** It does not: every iteration of the nest writes its own elements. */
    NONE,
    /**
     * Each at the index of the one parallel loop around it ({@code out[i2] += ...}: a layer norm's
     * column sums): threads may split that loop, each running every row in order.
     */
    OWN_INDEX,
    /** Anywhere else: iterations run in order on one thread. */
    SHARED
  }

  public KernelFacts {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(product, "product");
    Objects.requireNonNull(notAProduct, "notAProduct");
    nest = List.copyOf(nest);
    Objects.requireNonNull(adds, "adds");
    Objects.requireNonNull(splitLoop, "splitLoop");
    Objects.requireNonNull(gpu, "gpu");
    Objects.requireNonNull(kernel, "kernel");
  }

  /** The facts of {@code structured}, read off its loops ({@link Kernel#flatten}). */
  public static KernelFacts of(Kernel structured) {
    Kernel kernel = structured.flatten();
    Optional<ContractionPattern> product = Optional.empty();
    String why = "";
    switch (ContractionPattern.recognise(structured)) {
      case ContractionPattern.Product p -> product = Optional.of(p.pattern());
      case ContractionPattern.NotAProduct n -> why = kernel.kind() == KernelKind.CONTRACTION ? n.reason() : "";
    }
    List<KStmt.Loop> nest = new ArrayList<>();
    List<KStmt> top = kernel.body().stream().filter(s -> !(s instanceof KStmt.Let)).toList();
    if (top.size() == 1 && top.get(0) instanceof KStmt.Loop first && first.parallel()) {
      nest.add(first);
      for (KStmt.Loop l = first; l.body().size() == 1 && l.body().get(0) instanceof KStmt.Loop inner && inner.parallel()
          && ContractionPattern.invariant(inner.extent()); l = inner) {
        nest.add(inner);
      }
    }
    Set<String> split = new HashSet<>();
    boolean shared = accumulates(kernel.body(), null, split);
    Adds adds = shared || split.size() > 1 ? Adds.SHARED : split.isEmpty() ? Adds.NONE : Adds.OWN_INDEX;
    return new KernelFacts(kernel.name(), kernel.kind(), product, why, nest, adds,
        adds == Adds.OWN_INDEX ? split.iterator().next() : "", runningMaximum(kernel.body()), GpuStructure.of(structured),
        structured);
  }

  /** The variables of the nest, outermost first. */
  public List<String> nestVars() {
    return nest.stream().map(KStmt.Loop::var).toList();
  }

  /**
   * Adds the parallel loops whose own index an {@code +=} under them is at to {@code split};
   * true when some {@code +=} is at any other index. {@code parallel} is the innermost parallel
   * loop around {@code stmts}.
   */
  private static boolean accumulates(List<KStmt> stmts, String parallel, Set<String> split) {
    boolean shared = false;
    for (KStmt s : stmts) {
      if (s instanceof KStmt.Accumulate a) {
        if (parallel != null && a.index() instanceof KExpr.Var v && v.name().equals(parallel)) split.add(parallel);
        else shared = true;
      }
      if (s instanceof KStmt.Loop l) shared |= accumulates(l.body(), l.parallel() ? l.var() : parallel, split);
    }
    return shared;
  }

  /** Whether some loop body has {@code let n = max(m, x)} and then {@code m = n} for a declared {@code m}. */
  private static boolean runningMaximum(List<KStmt> stmts) {
    Set<String> maxima = new HashSet<>();
    for (KStmt s : stmts) {
      switch (s) {
        case KStmt.Let l when l.value() instanceof KExpr.Binary b && b.fn() == Fn.MAX && b.a() instanceof KExpr.Var m ->
            maxima.add(l.var() + "\u0000" + m.name());
        case KStmt.Assign a when a.value() instanceof KExpr.Var n && maxima.contains(n.name() + "\u0000" + a.var()) -> {
          return true;
        }
        case KStmt.Loop l -> {
          if (runningMaximum(l.body())) return true;
        }
        default -> {}
      }
    }
    return false;
  }
}
