package dev.adjoint.compiler.kernel;

import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An affine map from loop variables to a flat buffer index: {@code offset + Σ var · stride}, with
 * the offset and every stride fixed for the whole kernel (literals and run-time sizes). It is how a
 * {@link KStmt.Contraction} says where its operands come from — the strides a schedule needs to
 * choose packing, tiles and vector loads — without a backend taking index expressions apart.
 *
 * @param offset the index at every variable 0
 * @param terms one term per variable the index moves with, in the order the index first names them
 */
public record IndexMap(KExpr offset, List<IndexMap.Term> terms) {
  /** {@code var · stride}. */
  public record Term(String var, KExpr stride) {
    public Term {
      Objects.requireNonNull(var, "var");
      Objects.requireNonNull(stride, "stride");
      if (!invariant(stride)) throw new IllegalArgumentException("the stride of " + var + " is not fixed: " + stride);
    }
  }

  public IndexMap {
    Objects.requireNonNull(offset, "offset");
    terms = List.copyOf(terms);
    if (!invariant(offset)) throw new IllegalArgumentException("the offset is not fixed: " + KernelPrinter.expr(offset));
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Term t : terms) {
      if (!seen.add(t.var())) throw new IllegalArgumentException("variable " + t.var() + " has two terms");
    }
  }

  /**
   * The map {@code index} is, in {@code variables} (loop variables): empty when the index is not
   * affine in them with fixed coefficients (a division, a modulo, a loaded id, a let).
   */
  public static Optional<IndexMap> of(KExpr index, Set<String> variables) {
    Objects.requireNonNull(index, "index");
    Linear l = linear(index, variables);
    if (l == null) return Optional.empty();
    List<Term> terms = new ArrayList<>();
    l.coefficients.forEach((v, c) -> {
      if (!(c instanceof KExpr.Const k && k.value() == 0)) terms.add(new Term(v, c));
    });
    return Optional.of(new IndexMap(l.offset, terms));
  }

  /** The stride of {@code var}: 0 when the index does not move with it. */
  public KExpr stride(String var) {
    for (Term t : terms) if (t.var().equals(var)) return t.stride();
    return KExpr.Const.index(0);
  }

  /** Whether the index moves with {@code var}. */
  public boolean uses(String var) {
    for (Term t : terms) if (t.var().equals(var)) return true;
    return false;
  }

  /** The map as an index expression: {@code var · stride + … + offset}. */
  public KExpr expr() {
    KExpr e = KExpr.Const.index(0);
    for (Term t : terms) e = KExpr.add(e, KExpr.mul(new KExpr.Var(t.var(), DType.I32), t.stride()));
    return KExpr.add(e, offset);
  }

  @Override
  public String toString() {
    return KernelPrinter.expr(expr());
  }

  /** A literal, a size, or {@code + - *} of those: the same for the whole kernel. */
  static boolean invariant(KExpr e) {
    return switch (e) {
      case KExpr.Const c -> c.dtype() == DType.I32;
      case KExpr.Size s -> true;
      case KExpr.Binary b -> (b.fn() == Fn.ADD || b.fn() == Fn.SUB || b.fn() == Fn.MUL) && invariant(b.a())
          && invariant(b.b());
      default -> false;
    };
  }

  private record Linear(KExpr offset, Map<String, KExpr> coefficients) {}

  private static Linear linear(KExpr e, Set<String> variables) {
    if (invariant(e)) return new Linear(e, new LinkedHashMap<>());
    return switch (e) {
      case KExpr.Var v when variables.contains(v.name()) && v.dtype() == DType.I32 -> {
        Map<String, KExpr> c = new LinkedHashMap<>();
        c.put(v.name(), KExpr.Const.index(1));
        yield new Linear(KExpr.Const.index(0), c);
      }
      case KExpr.Binary b when b.fn() == Fn.ADD || b.fn() == Fn.SUB -> {
        Linear x = linear(b.a(), variables);
        Linear y = linear(b.b(), variables);
        if (x == null || y == null) yield null;
        if (b.fn() == Fn.SUB) y = scale(y, KExpr.Const.index(-1));
        Map<String, KExpr> c = new LinkedHashMap<>(x.coefficients);
        y.coefficients.forEach((v, k) -> c.merge(v, k, KExpr::add));
        yield new Linear(KExpr.add(x.offset, y.offset), c);
      }
      case KExpr.Binary b when b.fn() == Fn.MUL -> {
        if (invariant(b.b())) {
          Linear x = linear(b.a(), variables);
          yield x == null ? null : scale(x, b.b());
        }
        if (invariant(b.a())) {
          Linear y = linear(b.b(), variables);
          yield y == null ? null : scale(y, b.a());
        }
        yield null;
      }
      default -> null;
    };
  }

  private static Linear scale(Linear l, KExpr factor) {
    Map<String, KExpr> c = new LinkedHashMap<>();
    l.coefficients.forEach((v, k) -> c.put(v, product(KExpr.mul(k, factor))));
    return new Linear(product(KExpr.mul(l.offset, factor)), c);
  }

  /** A product of literals and sizes with its literals multiplied out in front: {@code 16 * T}, not {@code 2 * T * 8}. */
  private static KExpr product(KExpr e) {
    long[] constant = {1};
    List<KExpr> factors = new ArrayList<>();
    factors(e, constant, factors);
    KExpr out = KExpr.Const.index(constant[0]);
    for (KExpr f : factors) out = KExpr.mul(out, f);
    return out;
  }

  private static void factors(KExpr e, long[] constant, List<KExpr> factors) {
    if (e instanceof KExpr.Binary b && b.fn() == Fn.MUL) {
      factors(b.a(), constant, factors);
      factors(b.b(), constant, factors);
    } else if (e instanceof KExpr.Const c) {
      constant[0] *= (long) c.value();
    } else {
      factors.add(e);
    }
  }
}
