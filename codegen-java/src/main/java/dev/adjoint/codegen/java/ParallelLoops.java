package dev.adjoint.codegen.java;

import static dev.adjoint.codegen.java.JavaExpressions.RELATION;
import static dev.adjoint.codegen.java.JavaExpressions.javaType;
import static dev.adjoint.codegen.java.JavaExpressions.operand;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.adjoint.codegen.java.Env.Binding;
import dev.adjoint.codegen.java.Env.Kind;
import dev.adjoint.codegen.java.JavaExpressions.Code;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.schedule.AffineIndex;
import dev.adjoint.compiler.schedule.RowProgram;
import dev.adjoint.compiler.schedule.RowSchedule;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.exec.RunContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The method's top-level parallel loops, split across the pool's threads with
 * {@link RunContext#parallelFor}: perfectly nested parallel loops are flattened into one range so
 * that small leading extents (a batch of 2) still give every thread work. A loop that adds into a
 * buffer ({@code +=}), or that touches a mutable local declared outside it, runs on one thread,
 * unless the adds are at the innermost loop's own index: then threads split that loop and each runs
 * every row ({@link #columnSplit}).
 */
final class ParallelLoops {
  /** The fewest columns (when known at compile time) that {@link #columnSplit} splits across threads. */
  private static final int MIN_SPLIT_COLUMNS = 64;

  private final KernelContext context;
  private final JavaExpressions expressions;
  private final StatementPrinter statements;

  ParallelLoops(KernelContext context, StatementPrinter statements) {
    this.context = context;
    this.expressions = statements.expressions();
    this.statements = statements;
  }

  /**
   * A top-level parallel loop: split across threads when nothing stops it. Perfectly nested
   * parallel loops with invariant extents become one range; the innermost of them stays a loop
   * of its own when its body is straight-line code, so that each thread gets rows, not elements.
   */
  void parallelLoop(KStmt.Loop loop, Env env, CodeBlock.Builder out) {
    Buffer shared = accumulates(loop.body());
    if (shared != null) {
      if (columnSplit(loop, env, out)) return;
      out.add("// One thread: iterations add into $N, so they run in order and the sums come out the same every run.\n",
          context.bufferName(shared));
      statements.onCallingThread(loop, env, out);
      return;
    }
    List<KStmt.Loop> nest = new ArrayList<>(List.of(loop));
    KStmt.Loop last = loop;
    while (last.body().size() == 1 && last.body().get(0) instanceof KStmt.Loop inner && inner.parallel()
        && AffineIndex.invariant(inner.extent())) {
      nest.add(inner);
      last = inner;
    }
    if (nest.size() > 1 && !containsLoop(last.body())) {
      nest.removeLast();
      last = nest.getLast();
    }
    CodeBlock.Builder split = CodeBlock.builder();
    KernelContext.Recorded before = context.recorded();
    try {
      splitLoop(nest, env, split);
    } catch (Env.CapturesMutable e) {
      context.restoreSizes(before);
      // What the row block planned lived in the lambda thrown away: its loops print without it.
      statements.rows().forgetPlans();
      out.add("// One thread: the loop updates locals declared before it.\n");
      statements.onCallingThread(loop, env, out);
      return;
    }
    context.markUsesContext();
    out.add(split.build());
  }

  /**
   * A row nest whose innermost loop adds into buffers at its own index ({@code out[i2] += ...}, the
   * column sums of a layer norm's backward pass): threads split that innermost loop, and each runs
   * every row, in order. Each sum then adds its rows in the single-threaded order, on one thread;
   * what the rows compute before the split loop is computed by every thread, and stored by the
   * one whose range starts at 0. False, having printed nothing, when the nest has another shape.
   */
  private boolean columnSplit(KStmt.Loop loop, Env env, CodeBlock.Builder out) {
    List<KStmt.Loop> outer = new ArrayList<>(List.of(loop));
    KStmt.Loop split = null;
    while (split == null) {
      List<KStmt> body = outer.getLast().body();
      if (body.isEmpty() || !(body.getLast() instanceof KStmt.Loop next)) return false;
      for (KStmt st : body.subList(0, body.size() - 1)) {
        if (st instanceof KStmt.Accumulate || st instanceof KStmt.Loop l && containsWrite(l.body())) return false;
      }
      if (body.getLast() instanceof KStmt.Loop inner && inner.body().stream().anyMatch(x -> x instanceof KStmt.Accumulate)) {
        split = inner;
      } else {
        outer.add(next);
      }
    }
    if (!split.parallel() || !AffineIndex.invariant(split.extent()) || containsLoop(split.body())) return false;
    // A few columns are not worth every thread computing every row's statistics.
    if (split.extent() instanceof KExpr.Const c && c.value() < MIN_SPLIT_COLUMNS) return false;
    for (KStmt st : split.body()) {
      if (st instanceof KStmt.Accumulate a && !(a.index() instanceof KExpr.Var v && v.name().equals(split.var()))) {
        return false;
      }
    }
    CodeBlock.Builder code = CodeBlock.builder();
    KernelContext.Recorded before = context.recorded();
    Map<String, DType> perRow = rowPhaseValues(outer, split);
    try {
      if (perRow != null) {
        rowsThenColumns(outer, split, perRow, env, code);
        context.markUsesContext();
        out.add(code.build());
        return true;
      }
      Env inner = env.lambda();
      String start = inner.names.claim("start");
      String end = inner.names.claim("end");
      inner = inner.withScratch(List.of(loop));
      Code count = expressions.index(split.extent(), env, "extent of loop " + split.var());
      StringJoiner sums = new StringJoiner(", ");
      for (KStmt st : split.body()) {
        if (st instanceof KStmt.Accumulate a) sums.add(context.bufferName(a.buffer()));
      }
      code.add("// Threads split $L, the index $L add at; each runs every row in order, so every sum adds its rows in order.\n",
          JavaNames.commentText(split.var()), sums.toString());
      code.add("$N.parallelFor($L, ($N, $N) -> {\n", KernelContext.CONTEXT, count.code(), start, end);
      code.indent();
      CodeBlock.Builder rows = CodeBlock.builder();
      splitRows(outer, 0, split, start, end, inner, rows);
      code.add(inner.scratchDeclarations()).add(rows.build());
      code.unindent();
      code.add("});\n");
    } catch (Env.CapturesMutable e) {
      context.restore(before);
      return false;
    }
    context.markUsesContext();
    out.add(code.build());
    return true;
  }

  /**
   * The values the split loop of {@code outer} reads from its row's statements, by kernel IR name,
   * when computing those statements once per row is worth a phase of its own: the innermost row
   * runs a loop before the split one (a row statistic, a sum over the row), the outer rows bind
   * only lets, and the row statements draw no random numbers and declare no arrays the split loop
   * reads. Null otherwise.
   */
  private static Map<String, DType> rowPhaseValues(List<KStmt.Loop> outer, KStmt.Loop split) {
    for (KStmt.Loop l : outer.subList(0, outer.size() - 1)) {
      List<KStmt> body = l.body();
      for (KStmt st : body.subList(0, body.size() - 1)) if (!(st instanceof KStmt.Let)) return null;
    }
    List<KStmt> body = outer.getLast().body();
    List<KStmt> prelude = body.subList(0, body.size() - 1);
    if (prelude.stream().noneMatch(st -> st instanceof KStmt.Loop) || RandomRows.draws(prelude) > 0) return null;
    Map<String, DType> bound = new java.util.LinkedHashMap<>();
    for (KStmt st : prelude) {
      switch (st) {
        case KStmt.Let l -> bound.put(l.var(), l.value().dtype());
        case KStmt.Declare d -> bound.put(d.var(), d.dtype());
        case KStmt.DeclareArray d -> bound.put(d.var(), null);
        default -> {}
      }
    }
    Map<String, DType> read = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, DType> e : bound.entrySet()) {
      if (!RowProgram.mentions(split, e.getKey())) continue;
      if (e.getValue() == null) return null;
      read.put(e.getKey(), e.getValue());
    }
    return read;
  }

  /**
   * {@link #columnSplit} in two phases. First the rows split across threads: each row runs its
   * statements once (its statistics, its stores) and keeps the values the split loop reads in
   * per-row arrays. Then the split loop's columns split across threads, each running every row in
   * order with those values: the same sums in the same order, without every thread computing every
   * row's statistics.
   */
  private void rowsThenColumns(List<KStmt.Loop> outer, KStmt.Loop split, Map<String, DType> perRow, Env env,
      CodeBlock.Builder out) {
    KExpr rowCount = outer.get(0).extent();
    for (int i = 1; i < outer.size(); i++) rowCount = KExpr.mul(rowCount, outer.get(i).extent());
    Code rows = expressions.index(rowCount, env, "number of rows");
    Map<String, String> arrays = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, DType> e : perRow.entrySet()) {
      String name = env.names.claim(JavaNames.identifier(e.getKey(), "v") + "ByRow");
      TypeName element = javaType(e.getValue());
      out.addStatement("final $T $N = new $T[$L]", ArrayTypeName.of(element), name, element, rows.code());
      arrays.put(e.getKey(), name);
    }
    // Phase 1: rows across threads.
    Env lambda = env.lambda();
    String start = lambda.names.claim("start");
    String end = lambda.names.claim("end");
    out.add("// Each row's statements once, rows split across threads; the values the column phase reads are kept by row.\n");
    out.add("$N.parallelFor($L, ($N, $N) -> {\n", KernelContext.CONTEXT, rows.code(), start, end);
    out.indent();
    Env body = lambda.child();
    String row = body.names.claim("row");
    out.beginControlFlow("for (int $N = $N; $N < $N; $N++)", row, start, row, end, row);
    KExpr rowVar = new KExpr.Var(statements.bindSynthetic(row, body), DType.I32);
    for (int i = 0; i < outer.size(); i++) {
      statements.decodeLoopVar(outer, i, rowVar, KExpr.Const.index(1), body, out);
      List<KStmt> levelBody = outer.get(i).body();
      statements.statements(levelBody.subList(0, levelBody.size() - 1), body, out);
    }
    for (Map.Entry<String, String> e : arrays.entrySet()) {
      out.addStatement("$N[$N] = $N", e.getValue(), row, expressions.scalar(e.getKey(), body).java());
    }
    out.endControlFlow();
    out.unindent();
    out.add("});\n");
    // Phase 2: columns across threads, every row in order.
    Env columns = env.lambda();
    String first = columns.names.claim("start");
    String last = columns.names.claim("end");
    columns = columns.withScratch(List.of(split));
    StringJoiner sums = new StringJoiner(", ");
    for (KStmt st : split.body()) {
      if (st instanceof KStmt.Accumulate a) sums.add(context.bufferName(a.buffer()));
    }
    CodeBlock.Builder phase = CodeBlock.builder();
    phase.add("// Threads split $L, the index $L add at; each runs every row in order, so every sum adds its rows in order.\n",
        JavaNames.commentText(split.var()), sums.toString());
    Code count = expressions.index(split.extent(), env, "extent of loop " + split.var());
    phase.add("$N.parallelFor($L, ($N, $N) -> {\n", KernelContext.CONTEXT, count.code(), first, last);
    phase.indent();
    CodeBlock.Builder loops = CodeBlock.builder();
    keptRows(outer, 0, KExpr.Const.index(0), split, arrays, perRow, first, last, columns, loops);
    phase.add(columns.scratchDeclarations()).add(loops.build());
    phase.unindent();
    phase.add("});\n");
    out.add(phase.build());
  }

  /** The column phase's rows: outer lets as they were, the innermost row's values read from their arrays. */
  private void keptRows(List<KStmt.Loop> outer, int level, KExpr flat, KStmt.Loop split, Map<String, String> arrays,
      Map<String, DType> perRow, String start, String end, Env env, CodeBlock.Builder out) {
    KStmt.Loop loop = outer.get(level);
    Code extent = expressions.index(loop.extent(), env, "extent of loop " + loop.var());
    Env inner = env.child();
    String v = statements.bindLoopVar(loop.var(), inner);
    KExpr index = KExpr.add(KExpr.mul(flat, loop.extent()), new KExpr.Var(loop.var(), DType.I32));
    out.beginControlFlow("for (int $N = 0; $N < $L; $N++)", v, v, operand(extent, RELATION + 1), v);
    List<KStmt> body = loop.body();
    if (level + 1 < outer.size()) {
      statements.statements(body.subList(0, body.size() - 1), inner, out);
      keptRows(outer, level + 1, index, split, arrays, perRow, start, end, inner, out);
    } else {
      Code at = expressions.index(index, inner, "row index");
      for (Map.Entry<String, String> e : arrays.entrySet()) {
        DType dtype = perRow.get(e.getKey());
        String local = inner.names.claim(JavaNames.identifier(e.getKey(), "v"));
        out.addStatement("final $T $N = $N[$L]", javaType(dtype), local, e.getValue(), at.code());
        inner.scalars.put(e.getKey(), new Binding(local, dtype, Kind.LET, false, inner.lambda));
      }
      splitColumns(split, start, end, inner, out);
    }
    out.endControlFlow();
  }

  /** The split loop over this thread's columns {@code [start, end)}, with the runs it draws drawn first. */
  private void splitColumns(KStmt.Loop split, String start, String end, Env row, CodeBlock.Builder out) {
    Env columns = row.child();
    String c = statements.bindLoopVar(split.var(), columns);
    columns.drawn.putAll(statements.random().drawRows(split.body(), split.var(), CodeBlock.of("$N", start),
        CodeBlock.of("$N - $N", end, start), row, out));
    out.beginControlFlow("for (int $N = $N; $N < $N; $N++)", c, start, c, end, c);
    statements.block(split.body(), columns, out);
    out.endControlFlow();
  }

  private void splitRows(List<KStmt.Loop> outer, int level, KStmt.Loop split, String start, String end, Env env,
      CodeBlock.Builder out) {
    KStmt.Loop loop = outer.get(level);
    Code extent = expressions.index(loop.extent(), env, "extent of loop " + loop.var());
    Env inner = env.child();
    String v = statements.bindLoopVar(loop.var(), inner);
    out.beginControlFlow("for (int $N = 0; $N < $L; $N++)", v, v, operand(extent, RELATION + 1), v);
    List<KStmt> body = loop.body();
    for (KStmt st : body.subList(0, body.size() - 1)) {
      if (st instanceof KStmt.Store) {
        out.beginControlFlow("if ($N == 0)", start);
        statements.statement(st, inner, out);
        out.endControlFlow();
      } else {
        statements.statement(st, inner, out);
      }
    }
    if (level + 1 < outer.size()) {
      splitRows(outer, level + 1, split, start, end, inner, out);
    } else {
      splitColumns(split, start, end, inner, out);
    }
    out.endControlFlow();
  }

  private static boolean containsWrite(List<KStmt> stmts) {
    for (KStmt s : stmts) {
      if (s instanceof KStmt.Store || s instanceof KStmt.Accumulate) return true;
      if (s instanceof KStmt.Loop l && containsWrite(l.body())) return true;
    }
    return false;
  }

  private void splitLoop(List<KStmt.Loop> nest, Env env, CodeBlock.Builder out) {
    // The schedule's row block of this nest's innermost loop: its dot products computed a block at a time first.
    if (context.rows().block(nest.getLast().var()).orElse(null) instanceof RowSchedule.RowBlock block) {
      statements.rows().blockedRows(nest, block, env, out);
      return;
    }
    KExpr count = nest.get(0).extent();
    for (int i = 1; i < nest.size(); i++) count = KExpr.mul(count, nest.get(i).extent());
    Code countCode = expressions.index(count, env, "extent of loop " + nest.get(0).var());

    Env inner = env.lambda();
    String start = inner.names.claim("start");
    String end = inner.names.claim("end");
    List<String> vars = new ArrayList<>();
    StringJoiner shown = new StringJoiner(", ");
    if (nest.size() == 1) {
      KStmt.Loop loop = nest.get(0);
      String v = statements.bindLoopVar(loop.var(), inner);
      out.add("// Iterations of $N are independent: split them across the pool's threads.\n", v);
      out.add("$N.parallelFor($L, ($N, $N) -> {\n", KernelContext.CONTEXT, countCode.code(), start, end);
      out.indent();
      Env rows = inner.withScratch(loop.body());
      CodeBlock.Builder body = CodeBlock.builder();
      body.beginControlFlow("for (int $N = $N; $N < $N; $N++)", v, start, v, end, v);
      statements.block(loop.body(), rows, body);
      body.endControlFlow();
      out.add(rows.scratchDeclarations()).add(body.build());
    } else {
      // The flat row index, bound under a name no statement of the kernel uses.
      String rowKey = "row";
      for (int n = 2; context.isIrName(rowKey); n++) rowKey = "row" + n;
      String row = inner.names.claim("row");
      inner.scalars.put(rowKey, new Binding(row, DType.I32, Kind.LOOP, true, inner.lambda));
      KExpr rowVar = new KExpr.Var(rowKey, DType.I32);
      CodeBlock.Builder header = CodeBlock.builder();
      for (int i = 0; i < nest.size(); i++) {
        KExpr stride = KExpr.Const.index(1);
        for (int j = i + 1; j < nest.size(); j++) stride = KExpr.mul(stride, nest.get(j).extent());
        KExpr value = KExpr.div(rowVar, stride);
        if (i > 0) value = KExpr.mod(value, nest.get(i).extent());
        Code code = expressions.index(value, inner, "index of loop " + nest.get(i).var());
        String v = statements.bindLoopVar(nest.get(i).var(), inner);
        vars.add(v);
        header.addStatement("final int $N = $L", v, code.code());
      }
      for (String v : vars) shown.add(v);
      out.add("// Iterations of $L are independent: split them across the pool's threads.\n", shown.toString());
      out.add("$N.parallelFor($L, ($N, $N) -> {\n", KernelContext.CONTEXT, countCode.code(), start, end);
      out.indent();
      Env rows = inner.withScratch(nest.getLast().body());
      CodeBlock.Builder body = CodeBlock.builder();
      body.beginControlFlow("for (int $N = $N; $N < $N; $N++)", row, start, row, end, row);
      body.add(header.build());
      statements.block(nest.getLast().body(), rows, body);
      body.endControlFlow();
      out.add(rows.scratchDeclarations()).add(body.build());
    }
    out.unindent();
    out.add("});\n");
  }


  private static Buffer accumulates(List<KStmt> stmts) {
    for (KStmt s : stmts) {
      Buffer found = switch (s) {
        case KStmt.Structured st -> throw new IllegalStateException("the emitter takes flattened kernels, not a "
            + st.getClass().getSimpleName());
        case KStmt.Accumulate a -> a.buffer();
        case KStmt.Loop l -> accumulates(l.body());
        default -> null;
      };
      if (found != null) return found;
    }
    return null;
  }

  private static boolean containsLoop(List<KStmt> stmts) {
    return stmts.stream().anyMatch(s -> s instanceof KStmt.Loop);
  }

}
