package dev.adjoint.codegen.java;

import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.schedule.ContractionPattern;
import dev.adjoint.runtime.DType;
import java.util.HashMap;
import java.util.Map;

/**
 * Inner loops of row kernels that {@link dev.adjoint.runtime.exec.vector.RowKernels} runs on
 * contiguous runs of f32 (the dot products and accumulator updates of attention kernels):
 *
 * <pre>
 *   var acc: f32 = 0.0                        float acc = RowKernels.dot(x, xBase, y, yBase, n)
 *   for r in 0..n { let a = x[xBase + r]
 *                   let b = y[yBase + r]
 *                   acc = acc + a * b }
 *
 *   for v in 0..n { let t = x[xBase + v]      RowKernels.scaleAddScaled(acc, s, w, x, xBase, n)
 *                   acc[v] = acc[v] * s + w * t }     (or addScaled without "* s")
 * </pre>
 *
 * where the bases, {@code s} and {@code w} do not depend on the loop variable.
 */
final class RowLoopPattern {
  private RowLoopPattern() {}

  /** {@code acc = dot(x[xBase ..], y[yBase ..], length)}. */
  record Dot(String accumulator, Buffer x, KExpr xBase, Buffer y, KExpr yBase, KExpr length) {}

  /** {@code array[v] = array[v] (* scale) + weight * x[xBase + v]} for {@code v < length}; {@code scale} may be null. */
  record ScaledAdd(String array, KExpr scale, KExpr weight, Buffer x, KExpr xBase, KExpr length) {}

  /** The dot product that {@code declare} followed by {@code loop} computes, or null. */
  static Dot dot(KStmt declare, KStmt loop) {
    if (!(declare instanceof KStmt.Declare d) || d.dtype() != DType.F32 || !(loop instanceof KStmt.Loop l)
        || l.parallel()) {
      return null;
    }
    if (!(d.init() instanceof KExpr.Const c) || Double.doubleToRawLongBits(c.value()) != 0) return null;
    if (l.body().size() != 3 || !(l.body().get(2) instanceof KStmt.Assign sum) || !sum.var().equals(d.var())) return null;
    if (mentions(l.extent(), d.var())) return null;
    Map<String, KExpr.Load> loads = loads(l.body(), 2);
    if (loads == null || !(sum.value() instanceof KExpr.Binary add) || add.fn() != Fn.ADD
        || !isVar(add.a(), d.var()) || !(add.b() instanceof KExpr.Binary mul) || mul.fn() != Fn.MUL) {
      return null;
    }
    KExpr.Load a = loadOf(mul.a(), loads);
    KExpr.Load b = loadOf(mul.b(), loads);
    if (a == null || b == null || a.dtype() != DType.F32 || b.dtype() != DType.F32) return null;
    KExpr aBase = base(a.index(), l.var());
    KExpr bBase = base(b.index(), l.var());
    if (aBase == null || bBase == null || mentions(aBase, d.var()) || mentions(bBase, d.var())) return null;
    return new Dot(d.var(), a.buffer(), aBase, b.buffer(), bBase, l.extent());
  }

  /** The accumulator update that {@code loop} is, or null. */
  static ScaledAdd scaledAdd(KStmt loop) {
    if (!(loop instanceof KStmt.Loop l) || l.body().size() != 2
        || !(l.body().get(1) instanceof KStmt.AssignElement set) || !isVar(set.index(), l.var())) {
      return null;
    }
    Map<String, KExpr.Load> loads = loads(l.body(), 1);
    if (loads == null || !(set.value() instanceof KExpr.Binary add) || add.fn() != Fn.ADD
        || add.dtype() != DType.F32 || !(add.b() instanceof KExpr.Binary weighted) || weighted.fn() != Fn.MUL) {
      return null;
    }
    KExpr.Load x = loadOf(weighted.b(), loads);
    KExpr weight = weighted.a();
    if (x == null || x.dtype() != DType.F32 || !scalar(weight, l.var(), set.array()) || readsLoad(weight, loads)) {
      return null;
    }
    KExpr scale = null;
    if (add.a() instanceof KExpr.Binary scaled && scaled.fn() == Fn.MUL && isElement(scaled.a(), set.array(), l.var())) {
      scale = scaled.b();
      if (!scalar(scale, l.var(), set.array()) || readsLoad(scale, loads)) return null;
    } else if (!isElement(add.a(), set.array(), l.var())) {
      return null;
    }
    KExpr xBase = base(x.index(), l.var());
    if (xBase == null || mentions(l.extent(), l.var())) return null;
    return new ScaledAdd(set.array(), scale, weight, x.buffer(), xBase, l.extent());
  }

  /** The first {@code count} statements as lets of plain loads, by name; null if they are anything else. */
  private static Map<String, KExpr.Load> loads(java.util.List<KStmt> body, int count) {
    Map<String, KExpr.Load> out = new HashMap<>();
    for (int i = 0; i < count; i++) {
      if (!(body.get(i) instanceof KStmt.Let let) || !(let.value() instanceof KExpr.Load load)) return null;
      out.put(let.var(), load);
    }
    return out;
  }

  private static KExpr.Load loadOf(KExpr e, Map<String, KExpr.Load> loads) {
    return e instanceof KExpr.Var v ? loads.get(v.name()) : null;
  }

  /** A value the same on every iteration: a literal, a size, or a variable other than the loop's. */
  private static boolean scalar(KExpr e, String loopVar, String array) {
    return switch (e) {
      case KExpr.Const c -> c.dtype() == DType.F32;
      case KExpr.Var v -> v.dtype() == DType.F32 && !v.name().equals(loopVar) && !v.name().equals(array);
      default -> false;
    };
  }

  private static boolean readsLoad(KExpr e, Map<String, KExpr.Load> loads) {
    return e instanceof KExpr.Var v && loads.containsKey(v.name());
  }

  private static boolean isElement(KExpr e, String array, String index) {
    return e instanceof KExpr.Element el && el.array().equals(array) && isVar(el.index(), index)
        && el.dtype() == DType.F32;
  }

  /** Whether {@code e} is the variable {@code name}. */
  static boolean isVar(KExpr e, String name) {
    return e instanceof KExpr.Var v && v.name().equals(name);
  }

  /** {@code base} when {@code index} is {@code base + v} (as a sum, in any position), or null. */
  static KExpr base(KExpr index, String v) {
    if (isVar(index, v)) return KExpr.Const.index(0);
    if (!(index instanceof KExpr.Binary b) || b.fn() != Fn.ADD) return null;
    boolean inA = mentions(b.a(), v);
    boolean inB = mentions(b.b(), v);
    if (inA == inB) return null;
    KExpr rest = base(inA ? b.a() : b.b(), v);
    if (rest == null) return null;
    return KExpr.add(inA ? b.b() : b.a(), rest);
  }

  static boolean mentions(KExpr e, String name) {
    return ContractionPattern.names(e).contains(name);
  }
}
