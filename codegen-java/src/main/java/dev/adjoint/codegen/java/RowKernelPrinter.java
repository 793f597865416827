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
 * Prints what runs as calls of the runtime's row kernels instead of scalar loops: dot products and
 * accumulator updates over contiguous f32 runs ({@link RowLoopPattern}, {@link RowKernels}), row
 * blocks whose dot products are computed a block at a time ({@link HoistedDots}), loops computed as
 * whole-row operations ({@link RowProgram}, {@link RowMaps}), weighted rows ({@link WeightedRows},
 * the {@link OnlineSoftmax}), and runs of random numbers drawn a row at a time ({@link RandomRows}).
 */
final class RowKernelPrinter {
  private final KernelContext context;
  private final JavaExpressions expressions;
  private final StatementPrinter statements;

  /** A row block's precomputed dot products, their Java names, its row loop's IR name and its first row's Java name. */
  private record HoistedBlock(HoistedDots dots, List<String> names, String row, String first) {}

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
   * A loop's {@link RowProgram} and the Java names of its scratch rows. For a sum ({@code sum} not
   * null, the loop's last statement) the last row holds the terms; for an online softmax
   * ({@code softmax} not null) it holds the scores.
   */
  private record PlannedProgram(RowProgram program, List<String> rows, KStmt.Assign sum, OnlineSoftmax.Match softmax) {}

  RowKernelPrinter(KernelContext context, JavaExpressions expressions, StatementPrinter statements) {
    this.context = context;
    this.expressions = expressions;
    this.statements = statements;
  }

  /**
   * Prints statement {@code i} of {@code stmts} (with the next one, for a dot product) as row-kernel
   * calls when it is one; returns how many statements it printed: 0 for none.
   */
  int print(List<KStmt> stmts, int i, Env env, CodeBlock.Builder out) {
    KStmt s = stmts.get(i);
    RowLoopPattern.Dot dot = i + 1 < stmts.size() ? RowLoopPattern.dot(s, stmts.get(i + 1)) : null;
    HoistedDots.Use use = dot != null && hoisted != null ? hoisted.dots().use(s) : null;
    if (use != null) {
      precomputedDot(dot, use, env, out);
      return 2;
    } else if (dot != null && context.readable().contains(dot.x()) && context.readable().contains(dot.y())) {
      rowDot(dot, env, out);
      return 2;
    } else if (RowLoopPattern.scaledAdd(s) instanceof RowLoopPattern.ScaledAdd add
        && context.readable().contains(add.x())) {
      rowScaledAdd(add, env, out);
      return 1;
    } else if (s instanceof KStmt.Loop loop && rowPrograms.get(loop) instanceof PlannedProgram plan
        && plan.sum() != null) {
      rowSum(loop, plan, env, out);
      return 1;
    } else if (s instanceof KStmt.Loop loop && weightedRowsOf(loop) instanceof WeightedRows.Match m
        && (AffineIndex.invariant(loop.extent()) || expressions.readsOnlyFinals(loop.extent(), env))) {
      weightedRows(loop, m, env, out);
      return 1;
    }
    return 0;
  }

  /** Rows of a nest whose dot products {@link HoistedDots} computes a block at a time. */
  private static final int DOT_BLOCK_ROWS = 64;

  /**
   * A row nest split across threads by blocks of up to {@link #DOT_BLOCK_ROWS} rows of its
   * innermost loop: each block first computes its dot products with {@link RowKernels#dotProducts},
   * then runs its rows, which read them.
   */
  void blockedRows(List<KStmt.Loop> nest, HoistedDots dots, Env env, CodeBlock.Builder method) {
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
    for (HoistedDots.Products p : dots.products()) {
      String name = inner.names.claim(dots.products().size() == 1 ? "products" : "products" + (names.size() + 1));
      names.add(name);
      Code size = expressions.index(KExpr.mul(KExpr.Const.index(DOT_BLOCK_ROWS), p.columns()), inner, "size of a block of products");
      out.addStatement("final float[] $N = new float[$L]", name, size.code());
    }
    List<RowCopy> copies = new ArrayList<>();
    for (KStmt s : rows.body()) {
      if (s instanceof KStmt.Loop loop && AffineIndex.invariant(loop.extent())
          && weightedRowsOf(loop) instanceof WeightedRows.Match m) {
        Code extent = expressions.index(loop.extent(), inner, "extent of loop " + loop.var());
        String weights = inner.names.claim("weights");
        String scales = m.add().scale() == null ? null : inner.names.claim("scales");
        out.addStatement("final float[] $N = new float[$L]", weights, extent.code());
        if (scales != null) out.addStatement("final float[] $N = new float[$L]", scales, extent.code());
        rowArrays.put(loop, new String[] {weights, scales});
        if (sameForTheBlock(m.start(), nest) && AffineIndex.invariant(m.stride())) {
          RowCopy copy = new RowCopy(null, m.add().x(), m.start(), m.stride(), loop.extent(), m.add().length());
          RowCopy shared = copies.stream().filter(c -> c.equals(copy.named(c.name()))).findFirst().orElse(null);
          if (shared == null) {
            shared = copy.named(inner.names.claim("valueRows"));
            copies.add(shared);
            Code size = expressions.index(KExpr.mul(loop.extent(), m.add().length()), inner, "size of a copy of rows");
            out.addStatement("final float[] $N = new float[$L]", shared.name(), size.code());
          }
          copiedRows.put(loop, shared.name());
        }
      }
    }
    planRowPrograms(rows.body(), dots, inner, out);
    String block = inner.names.claim("block");
    out.beginControlFlow("for (int $N = $N; $N < $N; $N++)", block, start, block, end, block);
    Env body = inner.child();
    KExpr blockVar = new KExpr.Var(statements.bindSynthetic(block, body), DType.I32);
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
      HoistedDots.Products p = dots.products().get(k);
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
    hoisted = new HoistedBlock(dots, names, rows.var(), first);
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
   * Finds the loops of a row body that run as whole-row operations ({@link RowProgram}): those that
   * compute weighted rows' weights (without the online softmax's scales) and sums over a row, and
   * declares the scratch rows they use, shared by loops of the same extent.
   */
  private void planRowPrograms(List<KStmt> body, HoistedDots dots, Env lambda, CodeBlock.Builder out) {
    Map<KExpr, List<String>> rowsByExtent = new HashMap<>();
    for (KStmt s : body) {
      if (!(s instanceof KStmt.Loop loop) || loop.parallel() || !AffineIndex.invariant(loop.extent())) continue;
      List<KStmt> statements = loop.body();
      RowProgram program = null;
      KStmt.Assign sum = null;
      OnlineSoftmax.Match softmax = null;
      if (weightedRowsOf(loop) instanceof WeightedRows.Match m) {
        int at = statements.indexOf(m.update());
        if (m.add().scale() == null && at == statements.size() - 1) {
          program = RowProgram.of(loop.var(), statements.subList(0, at), m.add().weight(), dots, context.writable());
        } else if (m.add().scale() != null && OnlineSoftmax.match(loop, m) instanceof OnlineSoftmax.Match o) {
          softmax = o;
          program = RowProgram.of(loop.var(), statements.subList(0, o.scoreEnd()),
              new KExpr.Var(o.score(), DType.F32), dots, context.writable());
        }
      } else if (sumTerm(statements) instanceof KStmt.Assign a) {
        sum = a;
        program = RowProgram.of(loop.var(), statements.subList(0, statements.size() - 1),
            ((KExpr.Binary) a.value()).b(), dots, context.writable());
      }
      if (program == null) continue;
      List<String> names = rowsByExtent.computeIfAbsent(loop.extent(), e -> new ArrayList<>());
      int needed = program.scratchRows() + (sum != null || softmax != null ? 1 : 0);
      Code extent = expressions.index(loop.extent(), lambda, "extent of loop " + loop.var());
      while (names.size() < needed) {
        String name = lambda.names.claim("row");
        out.addStatement("final float[] $N = new float[$L]", name, extent.code());
        names.add(name);
      }
      rowPrograms.put(loop, new PlannedProgram(program, names.subList(0, needed), sum, softmax));
    }
  }

  /**
   * The last statement of {@code statements} when it adds an f32 term to a declared scalar that no
   * other statement (nor the term) mentions: {@code acc = acc + term}; otherwise null.
   */
  private static KStmt.Assign sumTerm(List<KStmt> statements) {
    if (statements.isEmpty() || !(statements.getLast() instanceof KStmt.Assign a)
        || !(a.value() instanceof KExpr.Binary add) || add.fn() != Fn.ADD || add.dtype() != DType.F32
        || !(add.a() instanceof KExpr.Var self) || !self.name().equals(a.var())
        || AffineIndex.mentions(add.b(), a.var())) {
      return null;
    }
    for (KStmt s : statements.subList(0, statements.size() - 1)) {
      if (RowProgram.mentions(s, a.var())) return null;
    }
    return a;
  }

  /**
   * A loop that adds terms into a scalar, as whole-row operations that put every term in a scratch
   * row ({@link RowProgram}), then one {@link RowMaps#sum} that adds them in the loop's order.
   */
  private void rowSum(KStmt.Loop loop, PlannedProgram plan, Env env, CodeBlock.Builder out) {
    Binding acc = expressions.scalar(plan.sum().var(), env);
    if (acc.kind() != Kind.DECLARE || acc.dtype() != DType.F32) {
      throw context.error("sum into " + plan.sum().var() + ", which is not a declared f32 scalar");
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
          operand(expressions.index(hoisted.dots().products().get(p.products()).columns(), env, "columns of a block of products"),
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

  /** Whether index {@code e} names only the nest's outer loop variables and sizes: the same for a whole row block. */
  private static boolean sameForTheBlock(KExpr e, List<KStmt.Loop> nest) {
    java.util.Set<String> outer = new java.util.HashSet<>();
    for (KStmt.Loop l : nest.subList(0, nest.size() - 1)) outer.add(l.var());
    return AffineIndex.indexOnly(e, outer);
  }

  /** {@code float acc = products[(i - first) * columns + r]}: a dot product its row block computed. */
  private void precomputedDot(RowLoopPattern.Dot dot, HoistedDots.Use use, Env env, CodeBlock.Builder out) {
    HoistedDots.Products p = hoisted.dots().products().get(use.products());
    String row = expressions.scalar(hoisted.row(), env).java();
    String v = env.names.claim(JavaNames.identifier(dot.accumulator(), "v"));
    out.addStatement("$T $N = $N[($N - $N) * $L + $N]", TypeName.FLOAT, v, hoisted.names().get(use.products()), row,
        hoisted.first(), operand(expressions.index(p.columns(), env, "columns of a block of products"), MULTIPLICATIVE + 1),
        expressions.scalar(use.columnVar(), env).java());
    env.scalars.put(dot.accumulator(), new Binding(v, DType.F32, Kind.DECLARE, false, env.lambda));
  }


  /** {@code float acc = RowKernels.dot(...)}: the accumulator stays a mutable local, as its declaration made it. */
  private void rowDot(RowLoopPattern.Dot dot, Env env, CodeBlock.Builder out) {
    CodeBlock call = CodeBlock.of("$T.dot($N, $L, $N, $L, $L)", RowKernels.class, context.bufferName(dot.x()),
        expressions.index(dot.xBase(), env, "offset into " + dot.x().name()).code(), context.bufferName(dot.y()),
        expressions.index(dot.yBase(), env, "offset into " + dot.y().name()).code(),
        expressions.index(dot.length(), env, "length of a dot product").code());
    String v = env.names.claim(JavaNames.identifier(dot.accumulator(), "v"));
    out.addStatement("$T $N = $L", TypeName.FLOAT, v, call);
    env.scalars.put(dot.accumulator(), new Binding(v, DType.F32, Kind.DECLARE, false, env.lambda));
  }

  /** The weighted rows {@code loop} adds ({@link WeightedRows}), of a buffer this kernel reads; or null. */
  private WeightedRows.Match weightedRowsOf(KStmt.Loop loop) {
    WeightedRows.Match m = WeightedRows.match(loop, context.writable());
    return m != null && context.readable().contains(m.add().x()) ? m : null;
  }

  /**
   * A loop that adds a weighted row ({@link WeightedRows}): the loop keeps each row's weight (and
   * scale) where the update was, and one {@link RowKernels#addWeightedRows} call after it adds the
   * rows in order.
   */
  private void weightedRows(KStmt.Loop loop, WeightedRows.Match m, Env env, CodeBlock.Builder out) {
    RowLoopPattern.ScaledAdd add = m.add();
    Binding array = expressions.array(add.array(), env);
    if (array.dtype() != DType.F32) throw context.error("array " + add.array() + " is " + array.dtype() + " but updated as f32");
    Code extent = expressions.index(loop.extent(), env, "extent of loop " + loop.var());
    String[] declared = rowArrays.get(loop);
    String weights = declared != null ? declared[0] : env.names.claim("weights");
    String scales = add.scale() == null ? null : declared != null ? declared[1] : env.names.claim("scales");
    if (declared == null) {
      out.addStatement("final float[] $N = new float[$L]", weights, extent.code());
      if (scales != null) out.addStatement("final float[] $N = new float[$L]", scales, extent.code());
    }
    Code length = expressions.index(add.length(), env, "length of an accumulator update");
    String copied = copiedRows.get(loop);
    CodeBlock x = copied != null
        ? CodeBlock.of("$N, 0, $L, $L, $L", copied, length.code(), extent.code(), length.code())
        : CodeBlock.of("$N, $L,$W$L, $L, $L", context.bufferName(add.x()),
            expressions.index(m.start(), env, "offset into " + add.x().name()).code(),
            expressions.index(m.stride(), env, "stride of " + add.x().name()).code(), extent.code(), length.code());
    if (rowPrograms.get(loop) instanceof PlannedProgram plan && plan.softmax() != null) {
      Binding max = expressions.scalar(plan.softmax().max(), env);
      Binding sum = expressions.scalar(plan.softmax().sum(), env);
      if (max.kind() != Kind.DECLARE || sum.kind() != Kind.DECLARE || max.dtype() != DType.F32
          || sum.dtype() != DType.F32) {
        throw context.error("online softmax over " + plan.softmax().max() + " and " + plan.softmax().sum()
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
    if (rowPrograms.get(loop) instanceof PlannedProgram plan) {
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
    int at = 0;
    while (loop.body().get(at) != m.update()) at++;
    statements.statements(loop.body().subList(0, at), inner, out);
    if (scales != null) out.addStatement("$N[$N] = $L", scales, v, expressions.converted(add.scale(), DType.F32, inner).code());
    out.addStatement("$N[$N] = $L", weights, v, expressions.converted(add.weight(), DType.F32, inner).code());
    statements.statements(loop.body().subList(at + 1, loop.body().size()), inner, out);
    out.endControlFlow();
    if (scales == null) {
      out.addStatement("$T.addWeightedRows($N, $N, $L)", RowKernels.class, array.java(), weights, x);
    } else {
      out.addStatement("$T.scaleAddWeightedRows($N, $N, $N, $L)", RowKernels.class, array.java(), scales, weights, x);
    }
  }

  private void rowScaledAdd(RowLoopPattern.ScaledAdd add, Env env, CodeBlock.Builder out) {
    Binding array = expressions.array(add.array(), env);
    if (array.dtype() != DType.F32) throw context.error("array " + add.array() + " is " + array.dtype() + " but updated as f32");
    CodeBlock x = CodeBlock.of("$N, $L, $L", context.bufferName(add.x()),
        expressions.index(add.xBase(), env, "offset into " + add.x().name()).code(),
        expressions.index(add.length(), env, "length of an accumulator update").code());
    if (add.scale() == null) {
      out.addStatement("$T.addScaled($N, $L, $L)", RowKernels.class, array.java(), expressions.expr(add.weight(), env).code(), x);
    } else {
      out.addStatement("$T.scaleAddScaled($N, $L, $L, $L)", RowKernels.class, array.java(), expressions.expr(add.scale(), env).code(),
          expressions.expr(add.weight(), env).code(), x);
    }
  }
}
