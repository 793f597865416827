package dev.adjoint.codegen.java;

import static dev.adjoint.codegen.java.RowLoopPattern.isVar;

import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.runtime.DType;
import java.util.List;

/**
 * The online softmax's loop over keys, as the attention fusion lowers attention's forward pass:
 *
 * <pre>
 *   for r in 0..T {
 *     ... let x = (the score of key r)
 *     let next = max(max, x)
 *     let s = where(next == -inf, 1.0, exp(max - next))
 *     let w = where(next == -inf, 0.0, exp(x - next))
 *     sum = sum * s + w
 *     for d { acc[d] = acc[d] * s + w * v[base(r) + d] }
 *     max = next
 *   }
 * </pre>
 *
 * Only {@code max} and {@code sum} pass from key to key, so when the scores are a
 * {@link RowProgram} the loop is the scores' row operations, one
 * {@link dev.adjoint.runtime.exec.vector.RowKernels#onlineSoftmax} call for every key's rescale and
 * weight and the sum, the maximum of the row, and the weighted rows: the loop's operations, the
 * same bits.
 */
final class OnlineSoftmax {
  /**
   * The loop's statements before {@code next} compute the score ({@code scoreEnd} of them);
   * {@code score} names it; {@code max} and {@code sum} are the running maximum and sum.
   */
  record Match(int scoreEnd, String score, String max, String sum) {}

  private OnlineSoftmax() {}

  /** The match of {@code loop}, whose weighted rows ({@code rows}) are scaled, or null. */
  static Match match(KStmt.Loop loop, WeightedRows.Match rows) {
    List<KStmt> body = loop.body();
    int k = body.size() - 6;
    if (k < 0 || body.get(k + 4) != rows.update()) return null;
    if (!(body.get(k) instanceof KStmt.Let next) || !(body.get(k + 1) instanceof KStmt.Let scale)
        || !(body.get(k + 2) instanceof KStmt.Let weight) || !(body.get(k + 3) instanceof KStmt.Assign sum)
        || !(body.get(k + 5) instanceof KStmt.Assign max)) {
      return null;
    }
    // max = next, and next = max(max, x) (or max(x, max)).
    if (!isVar(max.value(), next.var()) || !(next.value() instanceof KExpr.Binary m) || m.fn() != Fn.MAX
        || m.dtype() != DType.F32) {
      return null;
    }
    KExpr score = isVar(m.a(), max.var()) ? m.b() : isVar(m.b(), max.var()) ? m.a() : null;
    if (!(score instanceof KExpr.Var x) || x.name().equals(max.var())) return null;
    if (!guardedExp(scale.value(), next.var(), 1.0, max.var()) || !guardedExp(weight.value(), next.var(), 0.0, x.name())) {
      return null;
    }
    // sum = sum * s + w, and the rows' update is acc * s + w * v.
    if (!(sum.value() instanceof KExpr.Binary add) || add.fn() != Fn.ADD || !isVar(add.b(), weight.var())
        || !(add.a() instanceof KExpr.Binary mul) || mul.fn() != Fn.MUL || !isVar(mul.a(), sum.var())
        || !isVar(mul.b(), scale.var()) || sum.var().equals(max.var())) {
      return null;
    }
    if (!isVar(rows.add().scale(), scale.var()) || !isVar(rows.add().weight(), weight.var())) return null;
    for (KStmt s : body.subList(0, k)) {
      if (RowProgram.mentions(s, max.var()) || RowProgram.mentions(s, sum.var())) return null;
    }
    return new Match(k, x.name(), max.var(), sum.var());
  }

  /** {@code where(next == -inf, otherwise, exp(from - next))}, with {@code otherwise} a positive-signed literal. */
  private static boolean guardedExp(KExpr e, String next, double otherwise, String from) {
    if (!(e instanceof KExpr.Select s) || s.dtype() != DType.F32) return false;
    if (!(s.condition() instanceof KExpr.Binary eq) || eq.fn() != Fn.EQ || !isVar(eq.a(), next)
        || !(eq.b() instanceof KExpr.Const inf) || inf.value() != Double.NEGATIVE_INFINITY) {
      return false;
    }
    if (!(s.a() instanceof KExpr.Const c) || Double.doubleToRawLongBits(c.value()) != Double.doubleToRawLongBits(otherwise)) {
      return false;
    }
    return s.b() instanceof KExpr.Unary exp && exp.fn() == Unary.Fn.EXP && exp.x() instanceof KExpr.Binary sub
        && sub.fn() == Fn.SUB && isVar(sub.a(), from) && isVar(sub.b(), next);
  }
}
