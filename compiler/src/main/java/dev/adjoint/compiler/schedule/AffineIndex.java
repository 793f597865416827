package dev.adjoint.compiler.schedule;

import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.kernel.KExpr;
import java.util.Set;

/**
 * Index expressions as functions of one loop variable: whether one is {@code base + v * stride}
 * with base and stride free of {@code v}, and what it is at a given {@code v}. Schedules that
 * move work out of a loop (a block of dot products computed before the rows that read them) use
 * it to print where the loop's runs start and how far apart they are.
 */
public final class AffineIndex {
  private static final KExpr ZERO = KExpr.Const.index(0);
  private static final KExpr ONE = KExpr.Const.index(1);

  private AffineIndex() {}

  /**
   * {@code d index / d v}, free of {@code v}, when {@code index} is affine in {@code v}; null when
   * it is not (a product of two terms in {@code v}, or {@code v} under a division or remainder).
   */
  public static KExpr stride(KExpr index, String v) {
    if (!mentions(index, v)) return ZERO;
    return switch (index) {
      case KExpr.Var x -> ONE;
      case KExpr.Binary b when b.fn() == Fn.ADD -> {
        KExpr a = stride(b.a(), v);
        KExpr c = stride(b.b(), v);
        yield a == null || c == null ? null : KExpr.add(a, c);
      }
      case KExpr.Binary b when b.fn() == Fn.SUB -> {
        KExpr a = stride(b.a(), v);
        KExpr c = stride(b.b(), v);
        if (a == null || c == null) yield null;
        yield c.equals(ZERO) ? a : new KExpr.Binary(Fn.SUB, a, c);
      }
      case KExpr.Binary b when b.fn() == Fn.MUL -> {
        if (mentions(b.a(), v) && mentions(b.b(), v)) yield null;
        KExpr s = stride(mentions(b.a(), v) ? b.a() : b.b(), v);
        yield s == null ? null : KExpr.mul(mentions(b.a(), v) ? b.b() : b.a(), s);
      }
      default -> null;
    };
  }

  /** {@code index} with {@code v} replaced by {@code value}; index arithmetic only (see {@link #indexOnly}). */
  public static KExpr substitute(KExpr index, String v, KExpr value) {
    return switch (index) {
      case KExpr.Var x -> x.name().equals(v) ? value : x;
      case KExpr.Binary b -> {
        KExpr a = substitute(b.a(), v, value);
        KExpr c = substitute(b.b(), v, value);
        yield switch (b.fn()) {
          case ADD -> KExpr.add(a, c);
          case MUL -> KExpr.mul(a, c);
          default -> new KExpr.Binary(b.fn(), a, c);
        };
      }
      default -> index;
    };
  }

  /**
   * Whether {@code index} is i32 arithmetic ({@code + - * / %}) over literals, sizes and the
   * variables in {@code vars} only: nothing a statement of the loop body computes.
   */
  public static boolean indexOnly(KExpr index, Set<String> vars) {
    return switch (index) {
      case KExpr.Const c -> c.dtype() == dev.adjoint.runtime.DType.I32;
      case KExpr.Size s -> true;
      case KExpr.Var x -> vars.contains(x.name());
      case KExpr.Binary b -> (b.fn() == Fn.ADD || b.fn() == Fn.SUB || b.fn() == Fn.MUL || b.fn() == Fn.DIV
          || b.fn() == Fn.MOD) && indexOnly(b.a(), vars) && indexOnly(b.b(), vars);
      default -> false;
    };
  }

  /**
   * Whether an extent (or length) is the same on every iteration of the loops around it: literals,
   * sizes and arithmetic on them only.
   */
  public static boolean invariant(KExpr e) {
    return switch (e) {
      case KExpr.Const c -> true;
      case KExpr.Size s -> true;
      case KExpr.Binary b -> invariant(b.a()) && invariant(b.b());
      default -> false;
    };
  }

  public static boolean mentions(KExpr e, String name) {
    return ContractionPattern.names(e).contains(name);
  }

  /** {@code base} when {@code index} is {@code base + v} (as a sum, in any position), or null. */
  public static KExpr base(KExpr index, String v) {
    if (index instanceof KExpr.Var x && x.name().equals(v)) return ZERO;
    if (!(index instanceof KExpr.Binary b) || b.fn() != Fn.ADD) return null;
    boolean inA = mentions(b.a(), v);
    boolean inB = mentions(b.b(), v);
    if (inA == inB) return null;
    KExpr rest = base(inA ? b.a() : b.b(), v);
    if (rest == null) return null;
    return KExpr.add(inA ? b.b() : b.a(), rest);
  }
}
