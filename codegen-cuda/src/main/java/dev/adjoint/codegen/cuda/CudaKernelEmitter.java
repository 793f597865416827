package dev.adjoint.codegen.cuda;

import dev.adjoint.compiler.render.Code;
import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Prints one kernel as an {@code extern "C" __global__} function following its
 * {@link CudaSchedule}: buffers as {@code __restrict__} pointers (const when only read), run-time
 * sizes as {@code int}s, lets as {@code const} locals, accumulators as mutable locals and
 * register arrays, {@code +=} into a buffer as an atomic add into a buffer the launcher zeroes.
 */
final class CudaKernelEmitter {
  private enum Kind { LOOP, LET, DECLARE, ARRAY }

  /** A name of the kernel IR bound to a C local. */
  private record Binding(String c, DType dtype, Kind kind, boolean nonNegative) {}

  /** Names visible at a point of the kernel: a copy per block, as the interpreter scopes them. */
  private static final class Env {
    final CudaNames.Scope names;
    final Map<String, Binding> scalars;
    final Map<String, Binding> arrays;

    Env(CudaNames.Scope names, Map<String, Binding> scalars, Map<String, Binding> arrays) {
      this.names = names;
      this.scalars = scalars;
      this.arrays = arrays;
    }

    Env child() {
      return new Env(names.child(), new HashMap<>(scalars), new HashMap<>(arrays));
    }
  }

  private final Kernel kernel;
  private final String function;
  private final CudaSchedule schedule;
  private final Set<Buffer> readable = new LinkedHashSet<>();
  private final Set<Buffer> written = new LinkedHashSet<>();
  private final Set<Buffer> accumulated = new LinkedHashSet<>();
  private final Map<Buffer, String> bufferNames = new LinkedHashMap<>();
  private final Map<Dim, String> sizeNames = new LinkedHashMap<>();
  private final CudaNames.Scope kernelScope = new CudaNames.Scope();
  private boolean usesRandom;
  private Env env;
  private int temporaries;

  private CudaKernelEmitter(Kernel kernel, String function) {
    this.kernel = kernel;
    this.function = function;
    this.schedule = CudaSchedule.of(kernel);
    readable.addAll(kernel.reads());
    readable.addAll(kernel.writes());
    written.addAll(kernel.writes());
    kernelScope.reserve(function);
    for (Buffer b : readable) bufferNames.put(b, kernelScope.claim(b.name(), "b_"));
  }

  /** The kernel as CUDA C, and what a launcher needs to call it. */
  record Emitted(String source, CudaKernel kernel) {}

  /** Emits {@code kernel} at loop level ({@link Kernel#flatten}): the schedule works its structure out from the loops. */
  static Emitted emit(Kernel kernel, String function) {
    return new CudaKernelEmitter(kernel.flatten(), function).emit();
  }

  private IllegalArgumentException error(String message) {
    return new IllegalArgumentException("kernel " + kernel.name() + ": " + message);
  }

  private Emitted emit() {
    StringBuilder body = new StringBuilder();
    env = new Env(kernelScope.child(), new HashMap<>(), new HashMap<>());
    switch (schedule.mapping()) {
      case THREAD_PER_ITERATION -> threadPerIteration(body);
      case BLOCK_PER_ITERATION -> blockPerIteration(body);
      case TILED_CONTRACTION -> tiledContraction(schedule.tile().orElseThrow(), body);
    }

    List<CudaKernel.Param> params = new ArrayList<>();
    StringJoiner signature = new StringJoiner(", ");
    for (Buffer b : readable) {
      boolean w = written.contains(b);
      params.add(new CudaKernel.Param.BufferParam(b, w));
      signature.add((w ? "" : "const ") + CudaExpressions.storageType(b.type().dtype()) + "* __restrict__ "
          + bufferNames.get(b));
    }
    for (var e : sizeNames.entrySet()) {
      params.add(new CudaKernel.Param.SizeParam(e.getKey()));
      signature.add("int " + e.getValue());
    }
    if (usesRandom) {
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
    CudaKernel metadata = new CudaKernel(function, kernel, schedule.mapping(), params, List.copyOf(accumulated),
        schedule);
    return new Emitted(out.toString(), metadata);
  }

  private String comment() {
    StringBuilder out = new StringBuilder("// ").append(CudaNames.commentText(kernel.name())).append(": ")
        .append(CudaNames.commentText(kernel.kind().label())).append(" kernel");
    if (kernel.fusedNodes() > 0) out.append(" of ").append(kernel.fusedNodes()).append(" graph nodes");
    String origins = kernel.sourceLines();
    if (!origins.isEmpty()) out.append(", from ").append(CudaNames.commentText(origins));
    out.append(".\n// Schedule: ").append(switch (schedule.mapping()) {
      case THREAD_PER_ITERATION -> schedule.nest().isEmpty() ? "one thread runs the whole kernel"
          : "one thread per iteration of the parallel nest, grid-stride";
      case BLOCK_PER_ITERATION -> "one block per row; the row's loops are shared among its threads,"
          + " reductions combine by warp shuffles";
      case TILED_CONTRACTION -> "one block of 16x16 threads per 16x16 tile of outputs; operands staged in"
          + " shared memory 16 steps of the reduction at a time";
    }).append(".\n");
    if (!accumulated.isEmpty()) {
      StringJoiner names = new StringJoiner(", ");
      for (Buffer b : accumulated) names.add(bufferNames.get(b));
      out.append("// The launcher zeroes ").append(names).append(" first: the kernel adds into it atomically.\n");
    }
    return out.toString();
  }

  // ---- schedules

  /** {@code const long long adj_total = e0 * e1 * …;}, the flattened nest's iteration count. */
  private void total(StringBuilder out, String indent) {
    StringJoiner product = new StringJoiner(" * ");
    for (KStmt.Loop l : schedule.nest()) product.add("(long long) " + paren(expressions().index(l.extent())));
    out.append(indent).append("const long long adj_total = ").append(product.length() == 0 ? "1" : product)
        .append(";\n");
  }

  /** Binds the nest's loop variables from the flat index {@code flat}, innermost fastest. */
  private void unflatten(String flat, Env inner, StringBuilder out, String indent) {
    List<KStmt.Loop> nest = schedule.nest();
    String rest = flat;
    List<String[]> lines = new ArrayList<>();
    for (int i = nest.size() - 1; i >= 0; i--) {
      KStmt.Loop l = nest.get(i);
      String extent = paren(expressions().index(l.extent()));
      String c = bind(l.var(), DType.I32, Kind.LOOP, true, inner);
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
    block(schedule.body(), inner, out, 2);
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
    for (KStmt s : schedule.body()) {
      endsWithBarrier = false;
      if (s instanceof KStmt.Loop l) {
        switch (CudaSchedule.rowLoop(l)) {
          case SHARED -> {
            sharedLoop(l, inner, out);
            endsWithBarrier = true;
          }
          case REDUCTION -> reductionLoop(l, inner, out);
          case NONE -> throw new AssertionError("the schedule admitted loop " + l.var());
        }
      } else {
        statement(s, inner, out, 2);
      }
    }
    // The next row's threads must not overwrite what this row's slower threads still read.
    if (!endsWithBarrier) out.append("    __syncthreads();\n");
    out.append("  }\n");
  }

  /**
   * A block per 16×16 tile of (rows, columns), thread (ty, tx) owning one output. Per step of 16
   * along the reduction, each thread loads one element of the row operand's tile and one of the
   * column operand's into shared memory (the tile's edge guarded), then adds its 16 products in
   * order; outputs outside the nest's extents compute nothing but still reach every barrier.
   */
  private void tiledContraction(ContractionTile tile, StringBuilder out) {
    int t = ContractionTile.TILE;
    List<KStmt.Loop> nest = schedule.nest();
    List<KStmt.Loop> batch = nest.subList(0, nest.size() - 2);
    CudaExpressions x = expressions();
    String rowsExtent = paren(x.index(tile.rows().extent()));
    String columnsExtent = paren(x.index(tile.columns().extent()));
    String reductionExtent = paren(x.index(tile.reduction().extent()));
    DType dtype = tile.accumulator().dtype();
    String type = CudaExpressions.registerType(dtype);
    StringJoiner product = new StringJoiner(" * ");
    for (KStmt.Loop l : batch) product.add("(long long) " + paren(x.index(l.extent())));
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
      KStmt.Loop l = batch.get(k);
      String c = bind(l.var(), DType.I32, Kind.LOOP, true, inner);
      String extent = paren(x.index(l.extent()));
      out.append("    const int ").append(c).append(" = (int) (adj_rest % ").append(extent).append(");\n");
      out.append("    adj_rest /= ").append(extent).append(";\n");
    }
    String row = bind(tile.rows().var(), DType.I32, Kind.LOOP, true, inner);
    String column = bind(tile.columns().var(), DType.I32, Kind.LOOP, true, inner);
    out.append("    const int ").append(row).append(" = adj_tile_row * ").append(t).append(" + adj_ty;\n");
    out.append("    const int ").append(column).append(" = adj_tile_column * ").append(t).append(" + adj_tx;\n");
    Code init = expressions(inner).converted(tile.accumulator().init(), dtype);
    String acc = bind(tile.accumulator().var(), dtype, Kind.DECLARE, false, inner);
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
    KExpr.Binary update = (KExpr.Binary) tile.update().value();
    KExpr.Binary original = (KExpr.Binary) CudaSchedule.operand(tile.update());
    boolean swapped = original.a() != tile.a();
    KExpr a = new KExpr.Var("adj_tile_a_element", dtype);
    KExpr b = new KExpr.Var("adj_tile_b_element", dtype);
    KExpr staged = new KExpr.Binary(original.fn(), swapped ? b : a, swapped ? a : b);
    KExpr.Var accVar = new KExpr.Var(tile.accumulator().var(), dtype);
    KExpr value = update.a() instanceof KExpr.Var v && v.name().equals(tile.accumulator().var())
        ? new KExpr.Binary(update.fn(), accVar, staged) : new KExpr.Binary(update.fn(), staged, accVar);
    out.append("      for (int adj_k = 0; adj_k < adj_steps; ++adj_k) ").append(acc).append(" = ")
        .append(expressions(step).converted(value, dtype).text()).append(";\n");
    out.append("      __syncthreads();\n");
    out.append("    }\n");
    out.append("    if (").append(row).append(" < ").append(rowsExtent).append(" && ").append(column).append(" < ")
        .append(columnsExtent).append(") {\n");
    Env epilogue = inner.child();
    for (KStmt.Let let : tile.perOutput()) statement(let, epilogue, out, 3);
    for (KStmt s : tile.epilogue()) statement(s, epilogue, out, 3);
    out.append("    }\n");
    out.append("  }\n");
  }

  /** One element of an operand's tile: {@code tileName[adj_ty][adj_tx]} = the operand at r = adj_r0 + {@code offset}. */
  private void stageOperand(ContractionTile tile, KExpr operand, List<KStmt.Let> lets, String tileName, String offset,
      String inRange, Env env, StringBuilder out) {
    Env inner = env.child();
    String r = bind(tile.reduction().var(), DType.I32, Kind.LOOP, true, inner);
    String extent = paren(expressions(inner).index(tile.reduction().extent()));
    out.append("      {\n");
    out.append("        const int ").append(r).append(" = adj_r0 + ").append(offset).append(";\n");
    out.append("        if (").append(inRange).append(" && ").append(r).append(" < ").append(extent).append(") {\n");
    for (KStmt.Let let : lets) statement(let, inner, out, 5);
    out.append("          ").append(tileName).append("[adj_ty][adj_tx] = ").append(expressions(inner).expr(operand).text())
        .append(";\n");
    out.append("        }\n");
    out.append("      }\n");
  }

  private void sharedLoop(KStmt.Loop l, Env env, StringBuilder out) {
    Env inner = env.child();
    String extent = expressions().index(l.extent()).text();
    String v = bind(l.var(), DType.I32, Kind.LOOP, true, inner);
    out.append("    __syncthreads();\n");
    out.append("    for (int ").append(v).append(" = threadIdx.x; ").append(v).append(" < ").append(extent).append("; ")
        .append(v).append(" += blockDim.x) {\n");
    block(l.body(), inner, out, 3);
    out.append("    }\n");
    out.append("    __syncthreads();\n");
  }

  private void reductionLoop(KStmt.Loop l, Env env, StringBuilder out) {
    List<KStmt.Assign> updates = CudaSchedule.reductionUpdates(l);
    Env inner = env.child();
    Map<String, String> partials = new LinkedHashMap<>();
    for (KStmt.Assign a : updates) {
      Binding acc = scalar(a.var(), env);
      Fn fn = CudaSchedule.combiner(a);
      String partial = inner.names.claim("adj_partial" + temporaries++, "");
      String identity = identity(fn, acc.dtype());
      out.append("    ").append(CudaExpressions.registerType(acc.dtype())).append(' ').append(partial).append(" = ")
          .append(identity).append(";\n");
      partials.put(a.var(), partial);
      inner.scalars.put(a.var(), new Binding(partial, acc.dtype(), Kind.DECLARE, false));
    }
    String extent = expressions().index(l.extent()).text();
    String v = bind(l.var(), DType.I32, Kind.LOOP, true, inner);
    out.append("    for (int ").append(v).append(" = threadIdx.x; ").append(v).append(" < ").append(extent).append("; ")
        .append(v).append(" += blockDim.x) {\n");
    block(l.body(), inner, out, 3);
    out.append("    }\n");
    for (KStmt.Assign a : updates) {
      Binding acc = scalar(a.var(), env);
      Fn fn = CudaSchedule.combiner(a);
      String total = "adj_block_reduce<" + CudaExpressions.reducer(fn, acc.dtype()) + ">(" + partials.get(a.var()) + ")";
      // acc op total, printed as the IR prints the update, so the combination rounds as the loop does.
      KExpr.Var accVar = new KExpr.Var(a.var(), acc.dtype());
      KExpr.Var totalVar = new KExpr.Var("adj_total_of_" + a.var(), acc.dtype());
      Env combine = env.child();
      combine.scalars.put(totalVar.name(), new Binding(total, acc.dtype(), Kind.LET, false));
      Code value = expressions(combine).converted(new KExpr.Binary(fn, accVar, totalVar), acc.dtype());
      out.append("    ").append(acc.c()).append(" = ").append(value.text()).append(";\n");
    }
  }

  private static String identity(Fn fn, DType dtype) {
    return CudaExpressions.reducer(fn, dtype) + "::identity()";
  }

  // ---- statements

  private void block(List<KStmt> stmts, Env outer, StringBuilder out, int depth) {
    Env inner = outer.child();
    for (KStmt s : stmts) statement(s, inner, out, depth);
  }

  private void statement(KStmt stmt, Env env, StringBuilder out, int depth) {
    String indent = "  ".repeat(depth);
    CudaExpressions x = expressions(env);
    switch (stmt) {
      case KStmt.Loop l -> {
        Code extent = x.index(l.extent());
        Env inner = env.child();
        String v = bind(l.var(), DType.I32, Kind.LOOP, true, inner);
        if (CudaSchedule.invariant(l.extent())) {
          out.append(indent).append("for (int ").append(v).append(" = 0; ").append(v).append(" < ").append(extent.text())
              .append("; ++").append(v).append(") {\n");
        } else {
          // The extent is evaluated once, on entry, as the interpreter does.
          String end = inner.names.claim(v + "_end", "");
          out.append(indent).append("for (int ").append(v).append(" = 0, ").append(end).append(" = ").append(extent.text())
              .append("; ").append(v).append(" < ").append(end).append("; ++").append(v).append(") {\n");
        }
        block(l.body(), inner, out, depth + 1);
        out.append(indent).append("}\n");
      }
      case KStmt.Let let -> {
        Code value = x.expr(let.value());
        boolean nonNegative = let.value().dtype() == DType.I32 && x.nonNegative(let.value());
        String c = bind(let.var(), let.value().dtype(), Kind.LET, nonNegative, env);
        out.append(indent).append("const ").append(CudaExpressions.registerType(let.value().dtype())).append(' ').append(c)
            .append(" = ").append(value.text()).append(";\n");
      }
      case KStmt.Declare d -> {
        Code init = x.converted(d.init(), d.dtype());
        String c = bind(d.var(), d.dtype(), Kind.DECLARE, false, env);
        out.append(indent).append(CudaExpressions.registerType(d.dtype())).append(' ').append(c).append(" = ")
            .append(init.text()).append(";\n");
      }
      case KStmt.Assign a -> {
        Binding b = scalar(a.var(), env);
        if (b.kind() != Kind.DECLARE) throw error("assignment to " + a.var() + ", which is not a declared scalar");
        out.append(indent).append(b.c()).append(" = ").append(x.converted(a.value(), b.dtype()).text()).append(";\n");
      }
      case KStmt.DeclareArray d -> {
        if (!(d.length() instanceof KExpr.Const length)) {
          throw error("local array " + d.var() + " has the run-time length " + dev.adjoint.compiler.kernel.KernelPrinter
              .expr(d.length()) + "; the CUDA backend keeps local arrays in registers and needs a constant length");
        }
        Code init = x.converted(d.init(), d.dtype());
        String c = env.names.claim(d.var(), "l_");
        env.arrays.put(d.var(), new Binding(c, d.dtype(), Kind.ARRAY, false));
        long n = (long) length.value();
        String type = CudaExpressions.registerType(d.dtype());
        String i = env.names.claim("adj_i", "");
        out.append(indent).append(type).append(' ').append(c).append('[').append(Math.max(1, n)).append("];\n");
        out.append(indent).append("for (int ").append(i).append(" = 0; ").append(i).append(" < ").append(n).append("; ++")
            .append(i).append(") ").append(c).append('[').append(i).append("] = ").append(init.text()).append(";\n");
      }
      case KStmt.AssignElement a -> {
        Binding b = array(a.array(), env);
        out.append(indent).append(b.c()).append('[').append(x.index(a.index()).text()).append("] = ")
            .append(x.converted(a.value(), b.dtype()).text()).append(";\n");
      }
      case KStmt.Store s -> {
        requireWritable(s.buffer(), "stores to");
        DType d = s.buffer().type().dtype();
        out.append(indent).append(bufferNames.get(s.buffer())).append('[').append(x.index(s.index()).text()).append("] = ")
            .append(CudaExpressions.storeValue(x.converted(s.value(), d), d)).append(";\n");
      }
      case KStmt.Structured st -> throw new IllegalStateException("the emitter takes flattened kernels, not a "
          + st.getClass().getSimpleName());
      case KStmt.Accumulate s -> {
        requireWritable(s.buffer(), "accumulates into");
        accumulated.add(s.buffer());
        DType d = s.buffer().type().dtype();
        String address = "&" + bufferNames.get(s.buffer()) + "[" + x.index(s.index()).text() + "]";
        String value = x.converted(s.value(), d).text();
        String call = switch (d) {
          case F32, F64, I32 -> "atomicAdd(" + address + ", " + value + ")";
          case BF16 -> "adj_atomic_add_half<true>(" + address + ", " + value + ")";
          case F16 -> "adj_atomic_add_half<false>(" + address + ", " + value + ")";
          case BOOL -> throw error("accumulates into bool buffer " + s.buffer().name());
        };
        out.append(indent).append(call).append(";\n");
      }
    }
  }

  private void requireWritable(Buffer b, String verb) {
    if (!written.contains(b)) throw error(verb + " buffer " + b.name() + ", which is not in its writes");
  }

  private String bind(String irName, DType dtype, Kind kind, boolean nonNegative, Env env) {
    String c = env.names.claim(irName, "l_");
    env.scalars.put(irName, new Binding(c, dtype, kind, nonNegative));
    return c;
  }

  private Binding scalar(String name, Env env) {
    Binding b = env.scalars.get(name);
    if (b == null) throw error("variable " + name + " is not bound here");
    return b;
  }

  private Binding array(String name, Env env) {
    Binding b = env.arrays.get(name);
    if (b == null) throw error("array " + name + " is not declared here");
    return b;
  }

  private static String paren(Code c) {
    return c.level() == dev.adjoint.compiler.kernel.CFamilyOps.Level.PRIMARY ? c.text() : "(" + c.text() + ")";
  }

  private CudaExpressions expressions() {
    return expressions(env);
  }

  private CudaExpressions expressions(Env env) {
    return new CudaExpressions(new CudaExpressions.Names() {
      @Override
      public String scalar(String irName, DType dtype) {
        Binding b = CudaKernelEmitter.this.scalar(irName, env);
        if (b.dtype() != dtype) throw error("variable " + irName + " is " + b.dtype() + " but read as " + dtype);
        return b.c();
      }

      @Override
      public String array(String irName, DType dtype) {
        Binding b = CudaKernelEmitter.this.array(irName, env);
        if (b.dtype() != dtype) throw error("array " + irName + " is " + b.dtype() + " but read as " + dtype);
        return b.c();
      }

      @Override
      public boolean nonNegative(String irName) {
        Binding b = env.scalars.get(irName);
        return b != null && b.nonNegative();
      }

      @Override
      public String buffer(Buffer buffer) {
        if (!readable.contains(buffer)) {
          throw error("loads from buffer " + buffer.name() + ", which is not in its reads or writes");
        }
        return bufferNames.get(buffer);
      }

      @Override
      public String size(Dim dim) {
        return sizeNames.computeIfAbsent(dim, d -> kernelScope.claim("adj_n_" + d, ""));
      }

      @Override
      public String seed() {
        usesRandom = true;
        return "adj_seed";
      }

      @Override
      public String step() {
        usesRandom = true;
        return "adj_step";
      }
    });
  }
}
