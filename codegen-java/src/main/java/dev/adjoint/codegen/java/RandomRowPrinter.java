package dev.adjoint.codegen.java;

import static dev.adjoint.codegen.java.JavaExpressions.ADDITIVE;
import static dev.adjoint.codegen.java.JavaExpressions.PRIMARY;
import static dev.adjoint.codegen.java.JavaExpressions.infix;

import com.palantir.javapoet.CodeBlock;
import dev.adjoint.codegen.java.JavaExpressions.Code;
import dev.adjoint.compiler.schedule.RowSchedule;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.runtime.random.Philox4x32;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints the runs of random numbers the schedule draws a row at a time ({@link RowSchedule.RandomRun}),
 * before the loop that reads them.
 */
final class RandomRowPrinter {
  private final KernelContext context;
  private final JavaExpressions expressions;

  RandomRowPrinter(KernelContext context, JavaExpressions expressions) {
    this.context = context;
    this.expressions = expressions;
  }

  /**
   * Before a loop over {@code var} (its body {@code body}, its values {@code first} (null for 0) up to
   * {@code first + count}), draws each run of random numbers the schedule draws along it into a
   * scratch row with one {@code Philox4x32.uniforms} call, or finds the row a sibling loop drew;
   * returns what the body reads instead of the draws, for its scope. {@code count} must be valid at
   * the top of the lambda: it sizes the row. Nothing is drawn where the lambda has no scratch rows.
   */
  Map<Env.DrawSite, Env.Drawn> drawRows(List<KStmt> body, String var, CodeBlock first, CodeBlock count, Env outside,
      CodeBlock.Builder out) {
    Map<Env.DrawSite, Env.Drawn> reads = new HashMap<>();
    if (outside.scratch == null) return reads;
    String range = (first == null ? "0" : first.toString()) + " + " + count;
    for (KExpr.Random random : RandomRows.randoms(body)) {
      RowSchedule.RandomRun d = context.rows().randomRun(var, random).orElse(null);
      if (d == null) continue;
      if (!expressions.readsOnlyFinals(d.base(), outside)) continue;
      Code base = expressions.index(d.base(), outside, "index of random site " + d.random().site());
      Env.Row row = new Env.Row(d.random().site(), base.code().toString(), range);
      String array = outside.rows.get(row);
      if (array == null) {
        array = outside.scratch.take(count);
        if (array == null) continue;
        Code start = first == null ? base
            : d.base() instanceof KExpr.Const c && c.value() == 0 ? Code.of(PRIMARY, "$L", first)
            : infix("+", ADDITIVE, base, Code.of(PRIMARY, "$L", first), true);
        out.addStatement("$T.uniforms($N, $N, $L, $L, $N, 0, $L)", Philox4x32.class, context.seedName(), context.stepName(),
            JavaExpressions.site(d.random()), start.code(), array, count);
        outside.rows.put(row, array);
      }
      reads.put(new Env.DrawSite(d.random().site(), d.random().index()), new Env.Drawn(array, var, first));
    }
    return reads;
  }
}
