package dev.adjoint.codegen.cuda;

import dev.adjoint.codegen.cuda.CudaStatements.Binding;
import dev.adjoint.codegen.cuda.CudaStatements.Env;
import dev.adjoint.codegen.cuda.CudaStatements.Kind;
import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.kernel.Axis;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.render.Code;
import dev.adjoint.compiler.schedule.GpuStructure.Row;
import dev.adjoint.compiler.schedule.GpuStructure;
import dev.adjoint.compiler.schedule.GpuTile;
import dev.adjoint.compiler.target.CudaTarget;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.StringJoiner;

/**
 * Prints one kernel as an {@code extern "C" __global__} function following its
 * {@link CudaSchedule}: buffers as {@code __restrict__} pointers (const when only read), run-time
 * sizes as {@code int}s, lets as {@code const} locals, accumulators as mutable locals and
 * register arrays, {@code +=} into a buffer as an atomic add into a buffer the launcher zeroes.
 */
final class CudaKernelEmitter {
  private final String function;
  private final CudaSchedule schedule;
  private final CudaStatements statements;
  private Env env;
  private int temporaries;

  private CudaKernelEmitter(Kernel kernel, String function, CudaTarget target) {
    this.function = function;
    this.schedule = CudaSchedule.of(kernel, target);
    this.statements = new CudaStatements(kernel, function);
  }

  /** The kernel as CUDA C, and what a launcher needs to call it. */
  record Emitted(String source, CudaKernel kernel) {}

  /**
   * Emits {@code kernel} (structured, as lowering produces it) as its schedule on {@code target}
   * lays it out; statements the schedule gives no mapping of their own print in their loop-level form.
   */
  static Emitted emit(Kernel kernel, String function, CudaTarget target) {
    return new CudaKernelEmitter(kernel, function, target).emit();
  }

  private Emitted emit() {
    StringBuilder body = new StringBuilder();
    env = new Env(statements.kernelScope.child(), new HashMap<>(), new HashMap<>());
    switch (schedule.mapping()) {
      case THREAD_PER_ITERATION -> threadPerIteration(body);
      case BLOCK_PER_ITERATION -> blockPerIteration(body);
      case TILED_CONTRACTION -> tiledContraction(schedule.structure().product().orElseThrow(), schedule.tile(), body);
    }

    List<CudaKernel.Param> params = new ArrayList<>();
    StringJoiner signature = new StringJoiner(", ");
    for (Buffer b : statements.readable) {
      boolean w = statements.written.contains(b);
      params.add(new CudaKernel.Param.BufferParam(b, w));
      signature.add((w ? "" : "const ") + CudaExpressions.storageType(b.type().dtype()) + "* __restrict__ "
          + statements.bufferNames.get(b));
    }
    for (var e : statements.sizeNames.entrySet()) {
      params.add(new CudaKernel.Param.SizeParam(e.getKey()));
      signature.add("int " + e.getValue());
    }
    if (statements.usesRandom) {
      params.add(new CudaKernel.Param.SeedParam());
      params.add(new CudaKernel.Param.StepParam());
      signature.add("unsigned long long adj_seed");
      signature.add("int adj_step");
    }
    StringBuilder out = new StringBuilder();
    out.append(comment());
    out.append("extern \"C\" __global__ void ").append(function).append('(').append(signature).append(") {\n");
    out.append(body);
    out.append("}\n");
    CudaKernel metadata = new CudaKernel(function, statements.kernel, schedule.mapping(), params, List.copyOf(statements.accumulated),
        schedule);
    return new Emitted(out.toString(), metadata);
  }

  private String comment() {
    StringBuilder out = new StringBuilder("// ").append(CudaNames.commentText(statements.kernel.name())).append(": ")
        .append(CudaNames.commentText(statements.kernel.kind().label())).append(" kernel");
    if (statements.kernel.fusedNodes() > 0) out.append(" of ").append(statements.kernel.fusedNodes()).append(" graph nodes");
    String origins = statements.kernel.sourceLines();
    if (!origins.isEmpty()) out.append(", from ").append(CudaNames.commentText(origins));
    out.append(".\n// Schedule: ").append(switch (schedule.mapping()) {
      case THREAD_PER_ITERATION -> schedule.nest().isEmpty() ? "one thread runs the whole kernel"
          : "one thread per iteration of the parallel nest, grid-stride";
      case BLOCK_PER_ITERATION -> "one block per row; the row's loops are shared among its threads,"
          + " reductions combine by warp shuffles";
      case TILED_CONTRACTION -> "one block of " + schedule.tile().rows() + "x" + schedule.tile().columns()
          + " threads per " + schedule.tile().rows() + "x" + schedule.tile().columns() + " tile of outputs; operands"
          + " staged in shared memory " + schedule.tile().depth() + " steps of the reduction at a time";
    }).append(".\n");
    if (!statements.accumulated.isEmpty()) {
      StringJoiner names = new StringJoiner(", ");
      for (Buffer b : statements.accumulated) names.add(statements.bufferNames.get(b));
      out.append("// The launcher zeroes ").append(names).append(" first: the kernel adds into it atomically.\n");
    }
    return out.toString();
  }

  // ---- schedules

  /** {@code const long long adj_total = e0 * e1 * …;}, the flattened nest's iteration count. */
  private void total(StringBuilder out, String indent) {
    StringJoiner product = new StringJoiner(" * ");
    for (Axis l : schedule.nest()) product.add("(long long) " + CudaStatements.paren(expressions().index(l.extent())));
    out.append(indent).append("const long long adj_total = ").append(product.length() == 0 ? "1" : product)
        .append(";\n");
  }

  /** Binds the nest's loop variables from the flat index {@code flat}, innermost fastest. */
  private void unflatten(String flat, Env inner, StringBuilder out, String indent) {
    List<Axis> nest = schedule.nest();
    String rest = flat;
    List<String[]> lines = new ArrayList<>();
    for (int i = nest.size() - 1; i >= 0; i--) {
      Axis l = nest.get(i);
      String extent = CudaStatements.paren(expressions().index(l.extent()));
      String c = statements.bind(l.var(), DType.I32, Kind.LOOP, true, inner);
      lines.add(new String[] {c, i == 0 ? "(int) " + rest : "(int) (" + rest + " % " + extent + ")"});
      if (i > 0) {
        String next = inner.names.claim("adj_rest" + i, "");
        out.append(indent).append("const long long ").append(next).append(" = ").append(rest).append(" / ")
            .append(extent).append(";\n");
        rest = next;
      }
    }
    for (String[] line : lines) out.append(indent).append("const int ").append(line[0]).append(" = ").append(line[1]).append(";\n");
  }

  private void threadPerIteration(StringBuilder out) {
    total(out, "  ");
    out.append("  for (long long adj_flat = (long long) blockIdx.x * blockDim.x + threadIdx.x; adj_flat < adj_total;\n")
        .append("       adj_flat += (long long) gridDim.x * blockDim.x) {\n");
    Env inner = env.child();
    unflatten("adj_flat", inner, out, "    ");
    statements.block(schedule.body(), inner, out, 2);
    out.append("  }\n");
  }

  /**
   * One block per row. Every thread runs the row's own statements (they compute the same values);
   * shared loops stride by the block size; reduction loops keep a partial per thread and combine.
   * The row index is the same on every thread of a block, so every thread reaches every barrier.
   */
  private void blockPerIteration(StringBuilder out) {
    total(out, "  ");
    out.append("  for (long long adj_row = blockIdx.x; adj_row < adj_total; adj_row += gridDim.x) {\n");
    Env inner = env.child();
    unflatten("adj_row", inner, out, "    ");
    boolean endsWithBarrier = false;
    for (Row r : schedule.structure().rows()) {
      endsWithBarrier = r instanceof Row.Shared;
      switch (r) {
        case Row.Shared shared -> sharedLoop(shared, inner, out);
        case Row.Reduction reduction -> reductionLoop(reduction, inner, out);
        case Row.Statement st -> statements.statement(st.statement(), inner, out, 2);
      }
    }
    // The next row's threads must not overwrite what this row's slower threads still read.
    if (!endsWithBarrier) out.append("    __syncthreads();\n");
    out.append("  }\n");
  }

  /**
   * A block per T×T tile of (rows, columns) (T the schedule's {@link GpuTile}), thread (ty, tx)
   * owning one output. Per step of T along the reduction, each thread loads one element of the
   * row operand's tile and one of the column operand's into shared memory (the tile's edge
   * guarded), then adds its T products in order; outputs outside the grid's extents compute
   * nothing but still reach every barrier.
   */
  private void tiledContraction(GpuStructure.TiledProduct tile, GpuTile gpuTile, StringBuilder out) {
    int t = gpuTile.rows();
    List<Axis> batch = tile.batch();
    CudaExpressions x = expressions();
    String rowsExtent = CudaStatements.paren(x.index(tile.rows().extent()));
    String columnsExtent = CudaStatements.paren(x.index(tile.columns().extent()));
    String reductionExtent = CudaStatements.paren(x.index(tile.depth().extent()));
    DType dtype = tile.accumulator().dtype();
    String type = CudaExpressions.registerType(dtype);
    StringJoiner product = new StringJoiner(" * ");
    for (Axis l : batch) product.add("(long long) " + CudaStatements.paren(x.index(l.extent())));
    out.append("  const int adj_tiles_rows = (").append(rowsExtent).append(" + ").append(t - 1).append(") / ").append(t)
        .append(";\n");
    out.append("  const int adj_tiles_columns = (").append(columnsExtent).append(" + ").append(t - 1).append(") / ")
        .append(t).append(";\n");
    out.append("  const long long adj_total = ").append(product.length() == 0 ? "" : product + " * ")
        .append("(long long) adj_tiles_rows * adj_tiles_columns;\n");
    out.append("  __shared__ ").append(type).append(" adj_tile_a[").append(t).append("][").append(t + 1).append("];\n");
    out.append("  __shared__ ").append(type).append(" adj_tile_b[").append(t).append("][").append(t + 1).append("];\n");
    out.append("  const int adj_ty = threadIdx.x / ").append(t).append(", adj_tx = threadIdx.x % ").append(t).append(";\n");
    out.append("  for (long long adj_tile = blockIdx.x; adj_tile < adj_total; adj_tile += gridDim.x) {\n");
    Env inner = env.child();
    out.append("    const int adj_tile_column = (int) (adj_tile % adj_tiles_columns);\n");
    out.append("    const int adj_tile_row = (int) ((adj_tile / adj_tiles_columns) % adj_tiles_rows);\n");
    if (!batch.isEmpty()) out.append("    long long adj_rest = adj_tile / adj_tiles_columns / adj_tiles_rows;\n");
    for (int k = batch.size() - 1; k >= 0; k--) {
      Axis l = batch.get(k);
      String c = statements.bind(l.var(), DType.I32, Kind.LOOP, true, inner);
      String extent = CudaStatements.paren(x.index(l.extent()));
      out.append("    const int ").append(c).append(" = (int) (adj_rest % ").append(extent).append(");\n");
      out.append("    adj_rest /= ").append(extent).append(";\n");
    }
    String row = statements.bind(tile.rows().var(), DType.I32, Kind.LOOP, true, inner);
    String column = statements.bind(tile.columns().var(), DType.I32, Kind.LOOP, true, inner);
    out.append("    const int ").append(row).append(" = adj_tile_row * ").append(t).append(" + adj_ty;\n");
    out.append("    const int ").append(column).append(" = adj_tile_column * ").append(t).append(" + adj_tx;\n");
    Code init = statements.expressions(inner).converted(tile.accumulator().init(), dtype);
    String acc = statements.bind(tile.accumulator().var(), dtype, Kind.DECLARE, false, inner);
    out.append("    ").append(type).append(' ').append(acc).append(" = ").append(init.text()).append(";\n");
    out.append("    for (int adj_r0 = 0; adj_r0 < ").append(reductionExtent).append("; adj_r0 += ").append(t).append(") {\n");
    stageOperand(tile, tile.a(), tile.aLets(), "adj_tile_a", "adj_tx", row + " < " + rowsExtent, inner, out);
    stageOperand(tile, tile.b(), tile.bLets(), "adj_tile_b", "adj_ty", column + " < " + columnsExtent, inner, out);
    out.append("      __syncthreads();\n");
    out.append("      const int adj_steps = adj_min(").append(t).append(", ").append(reductionExtent).append(" - adj_r0);\n");
    // acc = acc + a * b as the IR writes it, with the operands read from the tiles.
    Env step = inner.child();
    step.scalars.put("adj_tile_a_element", new Binding("adj_tile_a[adj_ty][adj_k]", dtype, Kind.LET, false));
    step.scalars.put("adj_tile_b_element", new Binding("adj_tile_b[adj_k][adj_tx]", dtype, Kind.LET, false));
    KExpr a = new KExpr.Var("adj_tile_a_element", dtype);
    KExpr b = new KExpr.Var("adj_tile_b_element", dtype);
    KExpr staged = new KExpr.Binary(Fn.MUL, tile.swapped() ? b : a, tile.swapped() ? a : b);
    KExpr value = new KExpr.Binary(Fn.ADD, new KExpr.Var(tile.accumulator().var(), dtype), staged);
    out.append("      for (int adj_k = 0; adj_k < adj_steps; ++adj_k) ").append(acc).append(" = ")
        .append(statements.expressions(step).converted(value, dtype).text()).append(";\n");
    out.append("      __syncthreads();\n");
    out.append("    }\n");
    out.append("    if (").append(row).append(" < ").append(rowsExtent).append(" && ").append(column).append(" < ")
        .append(columnsExtent).append(") {\n");
    Env epilogue = inner.child();
    for (KStmt.Let let : tile.perOutput()) statements.statement(let, epilogue, out, 3);
    for (KStmt s : tile.epilogue()) statements.statement(s, epilogue, out, 3);
    out.append("    }\n");
    out.append("  }\n");
  }

  /** One element of an operand's tile: {@code tileName[adj_ty][adj_tx]} = the operand at r = adj_r0 + {@code offset}. */
  private void stageOperand(GpuStructure.TiledProduct tile, KExpr operand, List<KStmt.Let> lets, String tileName, String offset,
      String inRange, Env env, StringBuilder out) {
    Env inner = env.child();
    String r = statements.bind(tile.depth().var(), DType.I32, Kind.LOOP, true, inner);
    String extent = CudaStatements.paren(statements.expressions(inner).index(tile.depth().extent()));
    out.append("      {\n");
    out.append("        const int ").append(r).append(" = adj_r0 + ").append(offset).append(";\n");
    out.append("        if (").append(inRange).append(" && ").append(r).append(" < ").append(extent).append(") {\n");
    for (KStmt.Let let : lets) statements.statement(let, inner, out, 5);
    out.append("          ").append(tileName).append("[adj_ty][adj_tx] = ").append(statements.expressions(inner).expr(operand).text())
        .append(";\n");
    out.append("        }\n");
    out.append("      }\n");
  }

  private void sharedLoop(Row.Shared shared, Env env, StringBuilder out) {
    Env inner = env.child();
    String extent = expressions().index(shared.axis().extent()).text();
    String v = statements.bind(shared.axis().var(), DType.I32, Kind.LOOP, true, inner);
    out.append("    __syncthreads();\n");
    out.append("    for (int ").append(v).append(" = threadIdx.x; ").append(v).append(" < ").append(extent).append("; ")
        .append(v).append(" += blockDim.x) {\n");
    statements.block(shared.body(), inner, out, 3);
    out.append("    }\n");
    out.append("    __syncthreads();\n");
  }

  /** {@code acc = acc op value} over the axis: a partial per thread, then a block reduction folded into {@code acc}. */
  private void reductionLoop(Row.Reduction r, Env env, StringBuilder out) {
    Env inner = env.child();
    Binding acc = statements.scalar(r.accumulator(), env);
    Fn fn = r.combine();
    String partial = inner.names.claim("adj_partial" + temporaries++, "");
    out.append("    ").append(CudaExpressions.registerType(acc.dtype())).append(' ').append(partial).append(" = ")
        .append(identity(fn, acc.dtype())).append(";\n");
    inner.scalars.put(r.accumulator(), new Binding(partial, acc.dtype(), Kind.DECLARE, false));
    String extent = expressions().index(r.axis().extent()).text();
    String v = statements.bind(r.axis().var(), DType.I32, Kind.LOOP, true, inner);
    out.append("    for (int ").append(v).append(" = threadIdx.x; ").append(v).append(" < ").append(extent).append("; ")
        .append(v).append(" += blockDim.x) {\n");
    KExpr.Var accVar = new KExpr.Var(r.accumulator(), acc.dtype());
    List<KStmt> step = new ArrayList<>(r.body());
    step.add(new KStmt.Assign(r.accumulator(), new KExpr.Binary(fn, accVar, r.value())));
    statements.block(step, inner, out, 3);
    out.append("    }\n");
    String total = "adj_block_reduce<" + CudaExpressions.reducer(fn, acc.dtype()) + ">(" + partial + ")";
    // acc op total, printed as the IR prints the update, so the combination rounds as the loop does.
    KExpr.Var totalVar = new KExpr.Var("adj_total_of_" + r.accumulator(), acc.dtype());
    Env combine = env.child();
    combine.scalars.put(totalVar.name(), new Binding(total, acc.dtype(), Kind.LET, false));
    Code value = statements.expressions(combine).converted(new KExpr.Binary(fn, accVar, totalVar), acc.dtype());
    out.append("    ").append(acc.c()).append(" = ").append(value.text()).append(";\n");
  }

  private static String identity(Fn fn, DType dtype) {
    return CudaExpressions.reducer(fn, dtype) + "::identity()";
  }

  private CudaExpressions expressions() {
    return statements.expressions(env);
  }
}
