package dev.adjoint.codegen.java;

import static dev.adjoint.codegen.java.JavaExpressions.ADDITIVE;
import static dev.adjoint.codegen.java.JavaExpressions.MULTIPLICATIVE;
import static dev.adjoint.codegen.java.JavaExpressions.RELATION;
import static dev.adjoint.codegen.java.JavaExpressions.operand;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.adjoint.codegen.java.Env.Binding;
import dev.adjoint.codegen.java.Env.Kind;
import dev.adjoint.codegen.java.JavaExpressions.Code;
import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.schedule.AffineIndex;
import dev.adjoint.compiler.schedule.RowProgram;
import dev.adjoint.compiler.schedule.RowSchedule;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.exec.vector.RowKernels;
import dev.adjoint.runtime.exec.vector.RowMaps;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Prints what the kernel's schedule runs on the runtime's row kernels instead of scalar loops
 * ({@link RowSchedule}, decided by the row rules from the kernel's structured statements): dot
 * products of contiguous f32 runs ({@link RowKernels#dot}), row blocks whose dot products are
 * computed a block at a time first ({@link RowKernels#dotProducts}), loops over keys computed as
 * whole-row operations ({@link RowProgram}, {@link RowMaps}), weighted rows and the online softmax
 * ({@link RowKernels#addWeightedRows}, {@link RowKernels#onlineSoftmax}). It finds the statements
 * the schedule names by their variables in the kernel's loop-level form; it decides nothing.
 */
final class RowKernelPrinter {
  private final KernelContext context;
  private final JavaExpressions expressions;
  private final StatementPrinter statements;

  /** A row block's products, their Java names, its row loop's IR name and its first row's Java name. */
  private record HoistedBlock(RowSchedule.RowBlock block, List<String> names, String row, String first) {}

  /** While a row block's body prints: its precomputed dot products; null otherwise. */
  private HoistedBlock hoisted;
  /** Per-row weight (and scale) arrays declared once per lambda, by the loop that fills them. */
  private final Map<KStmt, String[]> rowArrays = new IdentityHashMap<>();
  /** Weighted rows a row block reads from its own contiguous copy, by loop: the copy's Java name. */
  private final Map<KStmt, String> copiedRows = new IdentityHashMap<>();

  /**
   * Rows {@code 0 <= r < rows} of {@code x}, {@code length} elements from {@code start + r * stride}:
   * the same for every row of a block, copied once per block into array {@code name}.
   */
  private record RowCopy(String name, Buffer x, KExpr start, KExpr stride, KExpr rows, KExpr length) {
    RowCopy named(String n) {
      return new RowCopy(n, x, start, stride, rows, length);
    }
  }

  /** Loops of a row block that run as whole-row operations, by loop, with the scratch rows declared for them. */
  private final Map<KStmt, PlannedProgram> rowPrograms = new IdentityHashMap<>();

  /**
   * A loop's whole-row operations as the schedule decided them ({@code rows}), and the Java names
   * of their scratch rows: for a sum or the online softmax, the last holds the terms or the scores.
   */
  private record PlannedProgram(RowSchedule.Vectorised plan, List<String> rows) {
    RowProgram program() {
      return plan.program();
    }
  }

  RowKernelPrinter(KernelContext context, JavaExpressions expressions, StatementPrinter statements) {
    this.context = context;
    this.expressions = expressions;
    this.statements = statements;
  }

  /**
   * Prints statement {@code i} of {@code stmts} (with the next one, for a dot product) as row-kernel
   * calls when the schedule runs it on them; returns how many statements it printed: 0 for none.
   */
  int print(List<KStmt> stmts, int i, Env env, CodeBlock.Builder out) {
    KStmt s = stmts.get(i);
    RowSchedule rows = context.rows();
    if (s instanceof KStmt.Declare d && rows.dot(d.var()).isPresent() && i + 1 < stmts.size()
        && stmts.get(i + 1) instanceof KStmt.Loop l && l.var().equals(rows.dot(d.var()).get().axis())) {
      RowSchedule.RowDot dot = rows.dot(d.var()).get();
      if (hoisted != null && use(d.var()) != null) precomputedDot(dot, env, out);
      else rowDot(dot, env, out);
      return 2;
    } else if (s instanceof KStmt.Loop loop && rowPrograms.get(loop) instanceof PlannedProgram plan
        && plan.plan().role() == RowSchedule.Role.SUM_TERMS) {
      rowSum(loop, plan, env, out);
      return 1;
    } else if (s instanceof KStmt.Loop loop && !loop.parallel() && rows.weightedRows(loop.var()).isPresent()
        && (AffineIndex.invariant(loop.extent()) || expressions.readsOnlyFinals(loop.extent(), env))) {
      weightedRows(loop, rows.weightedRows(loop.var()).get(), env, out);
      return 1;
    }
    return 0;
  }

  /**
   * Forgets what a row block planned (its scratch rows, weight arrays and copies, declared in a lambda
   * that printing threw away), so its loops print on their own.
   */
  void forgetPlans() {
    hoisted = null;
    rowPrograms.clear();
    rowArrays.clear();
    copiedRows.clear();
  }

  /** The block of products and the column a dot product into {@code accumulator} reads in the current row block, or null. */
  private RowSchedule.Use use(String accumulator) {
    for (RowSchedule.HoistedProduct p : hoisted.block().products()) {
      for (RowSchedule.Use u : p.uses()) if (u.accumulator().equals(accumulator)) return u;
    }
    return null;
  }

  private int productIndex(String accumulator) {
    List<RowSchedule.HoistedProduct> products = hoisted.block().products();
    for (int k = 0; k < products.size(); k++) {
      for (RowSchedule.Use u : products.get(k).uses()) if (u.accumulator().equals(accumulator)) return k;
    }
    throw context.error("no block of products holds the dot product into " + accumulator);
  }

  /**
   * A row nest split across threads by the schedule's blocks of rows of its innermost loop
   * ({@code block}): each block first computes its dot products with {@link RowKernels#dotProducts},
   * then runs its rows, which read them.
   */
  void blockedRows(List<KStmt.Loop> nest, RowSchedule.RowBlock block, Env env, CodeBlock.Builder method) {
    final int DOT_BLOCK_ROWS = block.rows();
    RowSchedule schedule = context.rows();
    KStmt.Loop rows = nest.getLast();
    Env outer = env.child();
    Code rowCount = expressions.index(rows.extent(), outer, "extent of loop " + rows.var());
    String blocks = outer.names.claim(JavaNames.identifier(rows.var(), "i") + "Blocks");
    method.addStatement("final int $N = ($L + $L) / $L", blocks, operand(rowCount, ADDITIVE), DOT_BLOCK_ROWS - 1,
        DOT_BLOCK_ROWS);
    KExpr blockCount = new KExpr.Var(statements.bindSynthetic(blocks, outer), DType.I32);
    KExpr count = blockCount;
    for (int i = nest.size() - 2; i >= 0; i--) count = KExpr.mul(nest.get(i).extent(), count);
    Code countCode = expressions.index(count, outer, "extent of loop " + nest.get(0).var());

    Env lambda = outer.lambda();
    String start = lambda.names.claim("start");
    String end = lambda.names.claim("end");
    Env inner = lambda.withScratch(rows.body());
    StringJoiner shown = new StringJoiner(", ");
    for (KStmt.Loop l : nest.subList(0, nest.size() - 1)) shown.add(JavaNames.commentText(l.var()));
    String rowName = JavaNames.commentText(rows.var());
    method.add("// Rows of $L run in blocks of up to $L$L: a block first computes every dot product its rows read, as\n",
        rowName, DOT_BLOCK_ROWS, shown.length() == 0 ? "" : " per (" + shown + ")");
    method.add("// small matrix products, so each row of the other operand is read once per block, not once per row.\n");
    method.add("$N.parallelFor($L, ($N, $N) -> {\n", KernelContext.CONTEXT, countCode.code(), start, end);
    method.indent();
    // The lambda's body, printed after the scratch rows its random draws claim.
    CodeBlock.Builder out = CodeBlock.builder();
    List<String> names = new ArrayList<>();
    for (RowSchedule.HoistedProduct p : block.products()) {
      String name = inner.names.claim(block.products().size() == 1 ? "products" : "products" + (names.size() + 1));
      names.add(name);
      Code size = expressions.index(KExpr.mul(KExpr.Const.index(DOT_BLOCK_ROWS), p.columns()), inner, "size of a block of products");
      out.addStatement("final float[] $N = new float[$L]", name, size.code());
    }
    List<RowCopy> copies = new ArrayList<>();
    for (KStmt s : rows.body()) {
      if (s instanceof KStmt.Loop loop && !loop.parallel() && AffineIndex.invariant(loop.extent())
          && schedule.weightedRows(loop.var()).orElse(null) instanceof RowSchedule.WeightedRows m) {
        Code extent = expressions.index(loop.extent(), inner, "extent of loop " + loop.var());
        String weights = inner.names.claim("weights");
        String scales = !m.scaled() ? null : inner.names.claim("scales");
        out.addStatement("final float[] $N = new float[$L]", weights, extent.code());
        if (scales != null) out.addStatement("final float[] $N = new float[$L]", scales, extent.code());
        rowArrays.put(loop, new String[] {weights, scales});
        if (m.copied()) {
          RowCopy copy = new RowCopy(null, m.buffer(), m.start(), m.stride(), loop.extent(), m.length());
          RowCopy shared = copies.stream().filter(c -> c.equals(copy.named(c.name()))).findFirst().orElse(null);
          if (shared == null) {
            shared = copy.named(inner.names.claim("valueRows"));
            copies.add(shared);
            Code size = expressions.index(KExpr.mul(loop.extent(), m.length()), inner, "size of a copy of rows");
            out.addStatement("final float[] $N = new float[$L]", shared.name(), size.code());
          }
          copiedRows.put(loop, shared.name());
        }
      }
    }
    planRowPrograms(rows.body(), inner, out);
    String blockName = inner.names.claim("block");
    out.beginControlFlow("for (int $N = $N; $N < $N; $N++)", blockName, start, blockName, end, blockName);
    Env body = inner.child();
    KExpr blockVar = new KExpr.Var(statements.bindSynthetic(blockName, body), DType.I32);
    List<KStmt.Loop> outerRows = nest.subList(0, nest.size() - 1);
    for (int i = 0; i < outerRows.size(); i++) statements.decodeLoopVar(outerRows, i, blockVar, blockCount, body, out);
    KExpr firstValue = KExpr.mul(nest.size() > 1 ? KExpr.mod(blockVar, blockCount) : blockVar,
        KExpr.Const.index(DOT_BLOCK_ROWS));
    String first = body.names.claim(JavaNames.identifier(rows.var(), "i") + "First");
    out.addStatement("final int $N = $L", first, expressions.index(firstValue, body, "first row of a block").code());
    String last = body.names.claim(JavaNames.identifier(rows.var(), "i") + "End");
    out.addStatement("final int $N = $T.min($N + $L, $L)", last, Math.class, first, DOT_BLOCK_ROWS, rowCount.code());
    KExpr firstVar = new KExpr.Var(statements.bindSynthetic(first, body), DType.I32);
    for (int k = 0; k < names.size(); k++) {
      RowSchedule.HoistedProduct p = block.products().get(k);
      KExpr rowStart = KExpr.add(p.rowStart(), KExpr.mul(firstVar, p.rowStride()));
      // $W: the rows' operand, the columns' operand and the length wrap as groups on long lines.
      out.addStatement("$T.dotProducts($N,$W$N, $L, $L, $N - $N,$W$N, $L, $L, $L,$W$L)", RowKernels.class, names.get(k),
          context.bufferName(p.rowBuffer()), expressions.index(rowStart, body, "offset into " + p.rowBuffer().name()).code(),
          expressions.index(p.rowStride(), body, "stride of " + p.rowBuffer().name()).code(), last, first,
          context.bufferName(p.columnBuffer()), expressions.index(p.columnStart(), body, "offset into " + p.columnBuffer().name()).code(),
          expressions.index(p.columnStride(), body, "stride of " + p.columnBuffer().name()).code(),
          expressions.index(p.columns(), body, "columns of a block of products").code(),
          expressions.index(p.length(), body, "length of a dot product").code());
    }
    for (RowCopy c : copies) {
      out.add("// The rows every row of the block weights, copied together: read in order, not $L elements apart.\n",
          c.stride() instanceof KExpr.Const k ? String.valueOf((long) k.value()) : "a stride");
      out.addStatement("$T.copyRows($N, $N, $L, $L, $L, $L)", RowKernels.class, c.name(), context.bufferName(c.x()),
          expressions.index(c.start(), body, "offset into " + c.x().name()).code(), expressions.index(c.stride(), body, "stride of " + c.x().name()).code(),
          expressions.index(c.rows(), body, "rows of a copy").code(), expressions.index(c.length(), body, "length of a copied row").code());
    }
    Env row = body.child();
    String v = statements.bindLoopVar(rows.var(), row);
    out.beginControlFlow("for (int $N = $N; $N < $N; $N++)", v, first, v, last, v);
    hoisted = new HoistedBlock(block, names, rows.var(), first);
    try {
      statements.block(rows.body(), row, out);
    } finally {
      hoisted = null;
    }
    out.endControlFlow();
    out.endControlFlow();
    method.add(inner.scratchDeclarations()).add(out.build());
    method.unindent();
    method.add("});\n");
  }

  /**
   * Declares the scratch rows of the loops of a row body that the schedule runs as whole-row
   * operations ({@link RowSchedule.Vectorised}), shared by loops of the same extent.
   */
  private void planRowPrograms(List<KStmt> body, Env lambda, CodeBlock.Builder out) {
    Map<KExpr, List<String>> rowsByExtent = new HashMap<>();
    for (KStmt s : body) {
      if (!(s instanceof KStmt.Loop loop) || loop.parallel() || !AffineIndex.invariant(loop.extent())) continue;
      RowSchedule.Vectorised plan = context.rows().vectorised(loop.var()).orElse(null);
      if (plan == null) continue;
      List<String> names = rowsByExtent.computeIfAbsent(loop.extent(), e -> new ArrayList<>());
      int needed = plan.program().scratchRows() + (plan.role() != RowSchedule.Role.WEIGHTS ? 1 : 0);
      Code extent = expressions.index(loop.extent(), lambda, "extent of loop " + loop.var());
      while (names.size() < needed) {
        String name = lambda.names.claim("row");
        out.addStatement("final float[] $N = new float[$L]", name, extent.code());
        names.add(name);
      }
      rowPrograms.put(loop, new PlannedProgram(plan, names.subList(0, needed)));
    }
  }

  /**
   * A loop that adds terms into a scalar, as whole-row operations that put every term in a scratch
   * row ({@link RowProgram}), then one {@link RowMaps#sum} that adds them in the loop's order.
   */
  private void rowSum(KStmt.Loop loop, PlannedProgram plan, Env env, CodeBlock.Builder out) {
    Binding acc = expressions.scalar(plan.plan().sum(), env);
    if (acc.kind() != Kind.DECLARE || acc.dtype() != DType.F32) {
      throw context.error("sum into " + plan.plan().sum() + ", which is not a declared f32 scalar");
    }
    Code extent = expressions.index(loop.extent(), env, "extent of loop " + loop.var());
    String terms = plan.rows().getLast();
    out.add("// Every term of the sum over $L at once, as whole-row operations; then added in order: the same bits.\n",
        JavaNames.commentText(loop.var()));
    rowProgram(plan, CodeBlock.of("$N, 0", terms), extent, env, out);
    out.addStatement("$N = $T.sum($N, $N, 0, $L)", acc.java(), RowMaps.class, acc.java(), terms, extent.code());
  }

  /** The calls of {@code plan}'s program; its last writes the run {@code destination} ({@code array, offset}). */
  private void rowProgram(PlannedProgram plan, CodeBlock destination, Code extent, Env env, CodeBlock.Builder out) {
    rowCalls(plan.program(), plan.rows(), destination, extent.code(), null, null, env, out);
  }

  /**
   * Prints {@code program}'s calls on rows of {@code length}: scratch row k is {@code rows.get(k)};
   * the last call, when it has no row of its own, writes {@code destination}. In a product's
   * epilogue, {@code tileRow} is where the tile's row starts and {@code columnStart} the first
   * column, added to every buffer offset (null in a loop, whose runs start at 0).
   */
  void rowCalls(RowProgram program, List<String> rows, CodeBlock destination, CodeBlock length, CodeBlock tileRow,
      CodeBlock columnStart, Env env, CodeBlock.Builder out) {
    for (RowProgram.Call call : program.steps()) {
      switch (call) {
        case RowProgram.Step step -> {
          CodeBlock into = step.out() == null ? destination : CodeBlock.of("$N, 0", rows.get(step.out().index()));
          RowProgram.Operand a = step.a();
          RowProgram.Operand b = step.b();
          // x + y, x * y, max and min are the same with their operands swapped: the run comes first.
          if (step.op().commutes && a instanceof RowProgram.Value && !(b instanceof RowProgram.Value)) {
            RowProgram.Operand swap = a;
            a = b;
            b = swap;
          }
          CodeBlock operands = b == null ? rowOperand(a, rows, tileRow, columnStart, env)
              : CodeBlock.of("$L, $L", rowOperand(a, rows, tileRow, columnStart, env),
                  rowOperand(b, rows, tileRow, columnStart, env));
          out.addStatement("$T.$L($L, $L, $L)", RowMaps.class, step.op().method, into, operands, length);
        }
        case RowProgram.Select sel -> {
          CodeBlock into = sel.out() == null ? destination : CodeBlock.of("$N, 0", rows.get(sel.out().index()));
          out.addStatement("$T.select($L, $T.$L, $L, $L,$W$L, $L, $L)", RowMaps.class, into, RowMaps.Compare.class,
              sel.cmp().name(), rowOperand(sel.x(), rows, tileRow, columnStart, env),
              rowOperand(sel.y(), rows, tileRow, columnStart, env), rowOperand(sel.a(), rows, tileRow, columnStart, env),
              rowOperand(sel.b(), rows, tileRow, columnStart, env), length);
        }
        case RowProgram.Write w -> {
          CodeBlock target = CodeBlock.of("$N, $L", context.target(w.buffer(), w.adds() ? "accumulates into" : "stores to"),
              offset(w.start(), w.buffer(), columnStart, env));
          if (w.adds()) {
            context.accumulate(w.buffer());
            out.addStatement("$T.add($L, $L, $L, $L)", RowMaps.class, target, target,
                rowOperand(w.value(), rows, tileRow, columnStart, env), length);
          } else if (w.value() instanceof RowProgram.Value v) {
            out.addStatement("$T.fill($L, $L, $L)", RowMaps.class, target, expressions.converted(v.value(), DType.F32, env).code(),
                length);
          } else {
            out.addStatement("$T.copy($L, $L, $L)", RowMaps.class, target,
                rowOperand(w.value(), rows, tileRow, columnStart, env), length);
          }
        }
      }
    }
  }

  /** Where a run of {@code buffer} that starts at {@code start} (at column 0) starts at the first column. */
  private CodeBlock offset(KExpr start, Buffer buffer, CodeBlock columnStart, Env env) {
    Code at = expressions.index(start, env, "offset into " + buffer.name());
    if (columnStart == null) return at.code();
    if (start instanceof KExpr.Const c && c.value() == 0) return columnStart;
    return CodeBlock.of("$L + $L", operand(at, ADDITIVE), columnStart);
  }

  /** A run as {@code array, offset}, or a value. */
  private CodeBlock rowOperand(RowProgram.Operand o, List<String> rows, CodeBlock tileRow, CodeBlock columnStart,
      Env env) {
    return switch (o) {
      case RowProgram.BufferRow r -> CodeBlock.of("$N, $L", context.bufferName(r.buffer()),
          offset(r.start(), r.buffer(), columnStart, env));
      case RowProgram.ProductsRow p -> CodeBlock.of("$N, ($N - $N) * $L", hoisted.names().get(p.products()),
          expressions.scalar(hoisted.row(), env).java(), hoisted.first(),
          operand(expressions.index(hoisted.block().products().get(p.products()).columns(), env, "columns of a block of products"),
              MULTIPLICATIVE + 1));
      case RowProgram.Scratch s -> CodeBlock.of("$N, 0", rows.get(s.index()));
      case RowProgram.Value v -> expressions.converted(v.value(), DType.F32, env).code();
      case RowProgram.TileRow t -> tileRow;
      case RowProgram.RandomRow r -> {
        Env.Drawn drawn = env.drawn.get(new Env.DrawSite(r.random().site(), r.random().index()));
        if (drawn == null) throw context.error("random site " + r.random().site() + " has no drawn row here");
        yield CodeBlock.of("$N, 0", drawn.array());
      }
      default -> throw new AssertionError(o);
    };
  }

  /** {@code float acc = products[(i - first) * columns + r]}: a dot product its row block computed. */
  private void precomputedDot(RowSchedule.RowDot dot, Env env, CodeBlock.Builder out) {
    int k = productIndex(dot.accumulator());
    RowSchedule.HoistedProduct p = hoisted.block().products().get(k);
    RowSchedule.Use use = use(dot.accumulator());
    String row = expressions.scalar(hoisted.row(), env).java();
    String v = env.names.claim(JavaNames.identifier(dot.accumulator(), "v"));
    out.addStatement("$T $N = $N[($N - $N) * $L + $N]", TypeName.FLOAT, v, hoisted.names().get(k), row,
        hoisted.first(), operand(expressions.index(p.columns(), env, "columns of a block of products"), MULTIPLICATIVE + 1),
        expressions.scalar(use.columnAxis(), env).java());
    env.scalars.put(dot.accumulator(), new Binding(v, DType.F32, Kind.DECLARE, false, env.lambda));
  }

  /** {@code float acc = RowKernels.dot(...)}: the accumulator stays a mutable local, as its declaration made it. */
  private void rowDot(RowSchedule.RowDot dot, Env env, CodeBlock.Builder out) {
    CodeBlock call = CodeBlock.of("$T.dot($N, $L, $N, $L, $L)", RowKernels.class, context.bufferName(dot.x()),
        expressions.index(dot.xStart(), env, "offset into " + dot.x().name()).code(), context.bufferName(dot.y()),
        expressions.index(dot.yStart(), env, "offset into " + dot.y().name()).code(),
        expressions.index(dot.length(), env, "length of a dot product").code());
    String v = env.names.claim(JavaNames.identifier(dot.accumulator(), "v"));
    out.addStatement("$T $N = $L", TypeName.FLOAT, v, call);
    env.scalars.put(dot.accumulator(), new Binding(v, DType.F32, Kind.DECLARE, false, env.lambda));
  }

  /**
   * A loop whose weighted rows the schedule adds with {@link RowKernels} ({@link RowSchedule.WeightedRows}):
   * the loop keeps each row's weight (and scale) where the update was, and one
   * {@link RowKernels#addWeightedRows} call after it adds the rows in order.
   */
  private void weightedRows(KStmt.Loop loop, RowSchedule.WeightedRows m, Env env, CodeBlock.Builder out) {
    Binding array = expressions.array(m.accumulator(), env);
    if (array.dtype() != DType.F32) throw context.error("array " + m.accumulator() + " is " + array.dtype() + " but updated as f32");
    Code extent = expressions.index(loop.extent(), env, "extent of loop " + loop.var());
    String[] declared = rowArrays.get(loop);
    String weights = declared != null ? declared[0] : env.names.claim("weights");
    String scales = !m.scaled() ? null : declared != null ? declared[1] : env.names.claim("scales");
    if (declared == null) {
      out.addStatement("final float[] $N = new float[$L]", weights, extent.code());
      if (scales != null) out.addStatement("final float[] $N = new float[$L]", scales, extent.code());
    }
    Code length = expressions.index(m.length(), env, "length of an accumulator update");
    String copied = copiedRows.get(loop);
    CodeBlock x = copied != null
        ? CodeBlock.of("$N, 0, $L, $L, $L", copied, length.code(), extent.code(), length.code())
        : CodeBlock.of("$N, $L,$W$L, $L, $L", context.bufferName(m.buffer()),
            expressions.index(m.start(), env, "offset into " + m.buffer().name()).code(),
            expressions.index(m.stride(), env, "stride of " + m.buffer().name()).code(), extent.code(), length.code());
    if (rowPrograms.get(loop) instanceof PlannedProgram plan && plan.plan().role() == RowSchedule.Role.SCORES) {
      Binding max = expressions.scalar(plan.plan().max(), env);
      Binding sum = expressions.scalar(plan.plan().sum(), env);
      if (max.kind() != Kind.DECLARE || sum.kind() != Kind.DECLARE || max.dtype() != DType.F32
          || sum.dtype() != DType.F32) {
        throw context.error("online softmax over " + plan.plan().max() + " and " + plan.plan().sum()
            + ", which are not declared f32 scalars");
      }
      String scores = plan.rows().getLast();
      out.add("// The online softmax over every key at once (the loop's operations, in its order: the same bits): the\n");
      out.add("// scores as whole-row operations, each key's rescale and weight and the sum, the maximum, then the rows.\n");
      rowProgram(plan, CodeBlock.of("$N, 0", scores), extent, env, out);
      out.addStatement("$N = $T.onlineSoftmax($N, 0, $L, $N, $N, $N, $N)", sum.java(), RowKernels.class, scores,
          extent.code(), max.java(), sum.java(), scales, weights);
      out.addStatement("$N = $T.maxOf($N, $N, 0, $L)", max.java(), RowMaps.class, max.java(), scores, extent.code());
      out.addStatement("$T.scaleAddWeightedRows($N, $N, $N, $L)", RowKernels.class, array.java(), scales, weights, x);
      return;
    }
    if (rowPrograms.get(loop) instanceof PlannedProgram plan && plan.plan().role() == RowSchedule.Role.WEIGHTS) {
      out.add("// Every row's weight at once, as whole-row operations (the loop's, in its order: the same bits);\n");
      out.add("// then the weighted rows are added in order, with $N held in registers.\n", array.java());
      rowProgram(plan, CodeBlock.of("$N, 0", weights), extent, env, out);
      out.addStatement("$T.addWeightedRows($N, $N, $L)", RowKernels.class, array.java(), weights, x);
      return;
    }
    out.add("// The weighted rows are added after the loop, in its order: the same sums, with $N held in registers.\n",
        array.java());
    Env inner = env.child();
    String v = statements.bindLoopVar(loop.var(), inner);
    out.beginControlFlow("for (int $N = 0; $N < $L; $N++)", v, v, operand(extent, RELATION + 1), v);
    // The update of the array: the loop body's (last) loop over the lane.
    int at = loop.body().size() - 1;
    while (at >= 0 && !(loop.body().get(at) instanceof KStmt.Loop l && l.var().equals(m.lane()))) at--;
    if (at < 0) throw context.error("the loop over " + loop.var() + " has no loop over " + m.lane() + " to add its rows");
    statements.statements(loop.body().subList(0, at), inner, out);
    if (scales != null) {
      out.addStatement("$N[$N] = $L", scales, v, expressions.converted(m.scale().get(), DType.F32, inner).code());
    }
    out.addStatement("$N[$N] = $L", weights, v, expressions.converted(m.weight(), DType.F32, inner).code());
    statements.statements(loop.body().subList(at + 1, loop.body().size()), inner, out);
    out.endControlFlow();
    if (scales == null) {
      out.addStatement("$T.addWeightedRows($N, $N, $L)", RowKernels.class, array.java(), weights, x);
    } else {
      out.addStatement("$T.scaleAddWeightedRows($N, $N, $N, $L)", RowKernels.class, array.java(), scales, weights, x);
    }
  }
}
