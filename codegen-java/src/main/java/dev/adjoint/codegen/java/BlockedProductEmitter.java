package dev.adjoint.codegen.java;

import com.palantir.javapoet.CodeBlock;
import dev.adjoint.compiler.kernel.Axis;
import dev.adjoint.compiler.schedule.AffineIndex;
import dev.adjoint.compiler.schedule.RowProgram;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.schedule.ContractionPattern;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.exec.gemm.GemmF32;
import dev.adjoint.runtime.exec.gemm.GemmPlan;
import dev.adjoint.runtime.exec.gemm.GemmShape;
import dev.adjoint.runtime.exec.gemm.Ownership;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Prints a {@link ContractionPattern} as one call of {@link GemmF32#multiply}: a lambda that packs
 * rows of the left factor, one that packs columns of the right factor (each evaluating the
 * factor's own expression, so whatever the kernel computes from its loads is fused into packing),
 * and the epilogue, run on every finished tile with the kernel's loop variables bound as the
 * nested loops would bind them.
 */
final class BlockedProductEmitter {
  private final KernelContext context;
  private final StatementPrinter statements;
  private final ContractionPattern pattern;
  /** The class constant holding the schedule's {@link GemmPlan}: tile and cache blocks. */
  private final String plan;
  /** Every let of the kernel by name, to print the ones an expression needs. */
  private final Map<String, KStmt.Let> lets = new HashMap<>();
  /** The scratch rows of the epilogue's row operations ({@link RowProgram#ofEpilogue}), declared at its top. */
  private final List<String> epilogueRows = new ArrayList<>();

  private BlockedProductEmitter(KernelContext context, StatementPrinter statements, ContractionPattern pattern,
      String plan) {
    this.context = context;
    this.statements = statements;
    this.pattern = pattern;
    this.plan = plan;
    for (KStmt.Let l : pattern.outerLets()) lets.put(l.var(), l);
    for (KStmt.Let l : pattern.reductionLets()) lets.put(l.var(), l);
  }

  static void emit(KernelContext context, StatementPrinter statements, ContractionPattern pattern, String plan,
      Env env, CodeBlock.Builder out) {
    new BlockedProductEmitter(context, statements, pattern, plan).emit(env, out);
  }

  private void emit(Env env, CodeBlock.Builder out) {
    for (KStmt.Let l : pattern.prelude()) statements.statement(l, env, out);
    CodeBlock batches = extent(pattern.batches(), env);
    CodeBlock rows = extent(pattern.rows(), env);
    CodeBlock columns = extent(pattern.columns(), env);
    String depth = env.names.claim("depth");
    out.addStatement("final int $N = $L", depth, extent(pattern.reduction(), env));
    out.add("// A blocked matrix product: rows ($L) by columns ($L)$L, summed over $L.\n", vars(pattern.rows()),
        vars(pattern.columns()), pattern.batches().isEmpty() ? "" : ", for each of (" + vars(pattern.batches()) + ")",
        vars(pattern.reduction()));
    out.add("// $L\n", ownershipComment());
    out.add("$T.multiply($N, $N, new $T($L, $L, $L, $N), $T.$L,\n", GemmF32.class, KernelContext.CONTEXT, plan,
        GemmShape.class, batches, rows, columns, depth, Ownership.class, pattern.ownership().name());
    out.indent().indent();
    leftPacker(env.lambda(), depth, out);
    out.add(",\n");
    rightPacker(env.lambda(), depth, out);
    out.add(",\n");
    epilogue(env.lambda(), out);
    out.add(");\n");
    out.unindent().unindent();
    context.markUsesContext();
  }

  private String ownershipComment() {
    return switch (pattern.ownership()) {
      case ANY -> "Tiles run on any thread: the epilogue only stores.";
      case COLUMNS -> "Each column's rows run on one thread, in order: the epilogue adds into one location per column.";
      case ROWS -> "Each row's columns run on one thread, in order: the epilogue adds into one location per row.";
      case ONE_THREAD -> "One thread: the epilogue adds into locations that rows and columns share.";
    };
  }

  private void leftPacker(Env env, String depth, CodeBlock.Builder out) {
    packer(pattern.left().value(), pattern.rows(), "m", "leftStart", "mr", true, env, depth, out);
  }

  private void rightPacker(Env env, String depth, CodeBlock.Builder out) {
    packer(pattern.right().value(), pattern.columns(), "n", "rightStart", "nr", false, env, depth, out);
  }

  /**
   * A packing lambda: {@code panel[plan.<start>(index, depth) + k * plan.<interleave>()] = factor}
   * over its rows or columns and the reduction. The loop over whichever the factor's loads walk
   * contiguously runs innermost, so packing reads memory in order (a transposed operand is packed
   * reduction-outer).
   */
  private void packer(KExpr factor, List<Axis> loops, String index, String start, String interleave,
      boolean relative, Env env, String depth, CodeBlock.Builder out) {
    String batch = env.names.claim("batch");
    String first = env.names.claim(index + "0");
    String last = env.names.claim(index + "1");
    String panel = env.names.claim("panel");
    out.add("($N, $N, $N, $N) -> {\n", batch, first, last, panel);
    out.indent();
    decode(pattern.batches(), batch, env, out);
    Set<String> needed = needed(List.of(factor));
    boolean reductionOuter = contiguousIn(factor, loops.getLast().var())
        && !contiguousIn(factor, pattern.reduction().getLast().var());
    String i = env.names.claim(index);
    CodeBlock position = relative ? CodeBlock.of("$N - $N", i, first) : CodeBlock.of("$N", i);
    Env inner = env;
    KExpr.Load run = reductionOuter ? contiguousRun(factor, loops) : null;
    if (run != null) {
      // The operand is read in order along the packed index: one array copy per panel per reduction index.
      inner = reductionLoops(inner, out);
      String from = statements.bindSynthetic(first, inner);
      KExpr sourceStart = AffineIndex.substitute(run.index(), loops.getLast().var(), new KExpr.Var(from, DType.I32));
      CodeBlock span = relative ? CodeBlock.of("0, $N - $N", last, first) : CodeBlock.of("$N, $N", first, last);
      out.addStatement("$N.$L($N, $N, $L, $L, $N, $L)", plan, relative ? "packLeftRun" : "packRightRun", panel,
          depth, reductionIndex(inner), span, context.bufferName(run.buffer()),
          statements.indexCode(sourceStart, inner, "offset into " + run.buffer().name()));
      for (int n = 1; n < pattern.reduction().size(); n++) out.endControlFlow();
      out.endControlFlow();
      out.unindent();
      out.add("}");
      return;
    }
    if (reductionOuter) {
      inner = reductionLoops(inner, out);
      out.beginControlFlow("for (int $N = $N; $N < $N; $N++)", i, first, i, last, i);
      inner = inner.child();
      decode(loops, i, inner, out);
      lets(pattern.outerLets(), needed, inner, out);
      lets(pattern.reductionLets(), needed, inner, out);
      out.addStatement("$N[$N.$L($L, $N) + $L * $N.$L()] = $L", panel, plan, start, position, depth,
          reductionIndex(inner), plan, interleave, statements.exprCode(factor, inner));
    } else {
      out.beginControlFlow("for (int $N = $N; $N < $N; $N++)", i, first, i, last, i);
      inner = inner.child();
      decode(loops, i, inner, out);
      String at = inner.names.claim("at");
      out.addStatement("final int $N = $N.$L($L, $N)", at, plan, start, position, depth);
      lets(pattern.outerLets(), needed, inner, out);
      inner = reductionLoops(inner, out);
      lets(pattern.reductionLets(), needed, inner, out);
      out.addStatement("$N[$N + $L * $N.$L()] = $L", panel, at, reductionIndex(inner), plan, interleave,
          statements.exprCode(factor, inner));
    }
    for (int n = 0; n <= pattern.reduction().size(); n++) out.endControlFlow();
    out.unindent();
    out.add("}");
  }

  private void lets(List<KStmt.Let> lets, Set<String> needed, Env env, CodeBlock.Builder out) {
    for (KStmt.Let l : lets) {
      if (needed.contains(l.var())) statements.statement(l, env, out);
    }
  }

  /** Opens the reduction loops; returns the scope inside them. */
  private Env reductionLoops(Env env, CodeBlock.Builder out) {
    Env inner = env;
    for (Axis r : pattern.reduction()) {
      inner = inner.child();
      CodeBlock extent = statements.indexCode(r.extent(), inner, "extent of loop " + r.var());
      String v = statements.bindLoopVar(r.var(), inner);
      out.beginControlFlow("for (int $N = 0; $N < $L; $N++)", v, v, extent, v);
    }
    return inner;
  }

  /** The flat reduction index {@code k}, parenthesised when it is a sum. */
  private CodeBlock reductionIndex(Env env) {
    KExpr k = new KExpr.Var(pattern.reduction().get(0).var(), DType.I32);
    for (int i = 1; i < pattern.reduction().size(); i++) {
      Axis r = pattern.reduction().get(i);
      k = KExpr.add(KExpr.mul(k, r.extent()), new KExpr.Var(r.var(), DType.I32));
    }
    CodeBlock code = statements.indexCode(k, env, "reduction index");
    return pattern.reduction().size() > 1 ? CodeBlock.of("($L)", code) : code;
  }

  /**
   * The load {@code factor} is (directly or as a let), when it is an f32 load at consecutive indices
   * along the one packed loop ({@code loops}) whose index names only loop variables and sizes;
   * otherwise null.
   */
  private KExpr.Load contiguousRun(KExpr factor, List<Axis> loops) {
    KExpr e = factor;
    if (e instanceof KExpr.Var v && lets.get(v.name()) instanceof KStmt.Let l) e = l.value();
    if (loops.size() != 1 || !(e instanceof KExpr.Load load) || load.dtype() != DType.F32) return null;
    Set<String> vars = new HashSet<>();
    for (Axis l : pattern.batches()) vars.add(l.var());
    for (Axis l : pattern.reduction()) vars.add(l.var());
    vars.add(loops.getLast().var());
    if (!AffineIndex.indexOnly(load.index(), vars)) return null;
    return KExpr.Const.index(1).equals(AffineIndex.stride(load.index(), loops.getLast().var())) ? load : null;
  }

  /** Whether some load of {@code factor} (through its lets) is at {@code base + var}: consecutive in {@code var}. */
  private boolean contiguousIn(KExpr factor, String var) {
    List<KExpr> values = new ArrayList<>(List.of(factor));
    for (String name : needed(List.of(factor))) values.add(lets.get(name).value());
    for (KExpr e : values) {
      if (loadsAt(e, var)) return true;
    }
    return false;
  }

  private static boolean loadsAt(KExpr e, String var) {
    return switch (e) {
      case KExpr.Load l -> AffineIndex.base(l.index(), var) != null && !AffineIndex.mentions(
          AffineIndex.base(l.index(), var), var) || loadsAt(l.index(), var);
      case KExpr.Unary u -> loadsAt(u.x(), var);
      case KExpr.Binary b -> loadsAt(b.a(), var) || loadsAt(b.b(), var);
      case KExpr.Select s -> loadsAt(s.condition(), var) || loadsAt(s.a(), var) || loadsAt(s.b(), var);
      case KExpr.Cast c -> loadsAt(c.x(), var);
      default -> false;
    };
  }

  private void epilogue(Env env, CodeBlock.Builder out) {
    String batch = env.names.claim("batch");
    String m0 = env.names.claim("m0");
    String m1 = env.names.claim("m1");
    String n0 = env.names.claim("n0");
    String n1 = env.names.claim("n1");
    String tile = env.names.claim("tile");
    String stride = env.names.claim("stride");
    out.add("($N, $N, $N, $N, $N, $N, $N) -> {\n", batch, m0, m1, n0, n1, tile, stride);
    out.indent();
    List<KStmt> perElementBody = new ArrayList<>(pattern.outerLets());
    perElementBody.addAll(pattern.epilogue());
    Env lambda = env.withScratch(perElementBody);
    CodeBlock.Builder body = CodeBlock.builder();
    epilogueRows.clear();
    tileBody(lambda, batch, m0, m1, n0, n1, tile, stride, body);
    out.add(lambda.scratchDeclarations());
    for (String row : epilogueRows) out.addStatement("final float[] $N = new float[$N - $N]", row, n1, n0);
    out.add(body.build());
    out.unindent();
    out.add("}");
  }

  /** The epilogue's loops over the rows and columns of a tile. */
  private void tileBody(Env env, String batch, String m0, String m1, String n0, String n1, String tile,
      String stride, CodeBlock.Builder out) {
    decode(pattern.batches(), batch, env, out);
    Set<String> needed = needed(statementExpressions(pattern.epilogue()));
    Set<String> rowVars = new HashSet<>();
    for (Axis l : pattern.batches()) rowVars.add(l.var());
    for (Axis l : pattern.rows()) rowVars.add(l.var());
    String m = env.names.claim("m");
    out.beginControlFlow("for (int $N = $N; $N < $N; $N++)", m, m0, m, m1, m);
    Env row = env.child();
    decode(pattern.rows(), m, row, out);
    List<KStmt.Let> perElement = new ArrayList<>();
    for (KStmt.Let l : pattern.outerLets()) {
      if (!needed.contains(l.var())) continue;
      if (rowVars.containsAll(pattern.dependsOn(l.var()))) statements.statement(l, row, out);
      else perElement.add(l);
    }
    Map<Env.DrawSite, Env.Drawn> drawn = Map.of();
    if (pattern.columns().size() == 1) {
      // The column loop's variable is the column index n itself: draws along it are runs of the row.
      List<KStmt> perElementBody = new ArrayList<>(perElement);
      perElementBody.addAll(pattern.epilogue());
      drawn = statements.random().drawRows(perElementBody, pattern.columns().get(0).var(), CodeBlock.of("$N", n0),
          CodeBlock.of("$N - $N", n1, n0), row, out);
    }
    if (pattern.columns().size() == 1) {
      List<KStmt> perElementBody = new ArrayList<>(perElement);
      perElementBody.addAll(pattern.epilogue());
      Map<Env.DrawSite, Env.Drawn> rowsDrawn = drawn;
      RowProgram program = RowProgram.ofEpilogue(pattern.columns().get(0).var(), pattern.accumulator(), perElementBody,
          r -> rowsDrawn.containsKey(new Env.DrawSite(r.site(), r.index())), context.writable());
      if (program != null) {
        while (epilogueRows.size() < program.scratchRows()) {
          epilogueRows.add(env.names.claim("rowValues"));
        }
        out.add("// The epilogue on the whole row at once, as row operations: its operations in order, the same bits.\n");
        Env whole = row.child();
        whole.drawn.putAll(drawn);
        statements.rows().rowCalls(program, epilogueRows, null, CodeBlock.of("$N - $N", n1, n0),
            CodeBlock.of("$N, ($N - $N) * $N", tile, m, m0, stride), CodeBlock.of("$N", n0), whole, out);
        out.endControlFlow();
        return;
      }
    }
    String n = row.names.claim("n");
    out.beginControlFlow("for (int $N = $N; $N < $N; $N++)", n, n0, n, n1, n);
    Env element = row.child();
    decode(pattern.columns(), n, element, out);
    element.drawn.putAll(drawn);
    for (KStmt.Let l : perElement) statements.statement(l, element, out);
    String acc = statements.bindFinal(pattern.accumulator(), DType.F32, element);
    out.addStatement("final float $N = $N[($N - $N) * $N + ($N - $N)]", acc, tile, m, m0, stride, n, n0);
    for (KStmt s : pattern.epilogue()) statements.statement(s, element, out);
    out.endControlFlow();
    out.endControlFlow();
  }

  /** Binds the loop variables of {@code loops} from their flat index {@code flat}, outermost first. */
  private void decode(List<Axis> loops, String flat, Env env, CodeBlock.Builder out) {
    if (loops.isEmpty()) return;
    String key = statements.bindSynthetic(flat, env);
    KExpr flatVar = new KExpr.Var(key, DType.I32);
    for (int i = 0; i < loops.size(); i++) {
      KExpr stride = KExpr.Const.index(1);
      for (int j = i + 1; j < loops.size(); j++) stride = KExpr.mul(stride, loops.get(j).extent());
      KExpr value = KExpr.div(flatVar, stride);
      if (i > 0) value = KExpr.mod(value, loops.get(i).extent());
      CodeBlock code = statements.indexCode(value, env, "index of loop " + loops.get(i).var());
      String v = statements.bindLoopVar(loops.get(i).var(), env);
      out.addStatement("final int $N = $L", v, code);
    }
  }

  /** The product of the loops' extents, printed: {@code 1} for none. */
  private CodeBlock extent(List<Axis> loops, Env env) {
    KExpr product = KExpr.Const.index(1);
    for (Axis l : loops) product = KExpr.mul(product, l.extent());
    return statements.indexCode(product, env, "extent");
  }

  private static String vars(List<Axis> loops) {
    StringJoiner out = new StringJoiner(", ");
    for (Axis l : loops) out.add(JavaNames.commentText(l.var()));
    return out.toString();
  }

  /** The lets that {@code roots} read, directly or through other lets. */
  private Set<String> needed(List<KExpr> roots) {
    Set<String> out = new HashSet<>();
    List<KExpr> work = new ArrayList<>(roots);
    while (!work.isEmpty()) {
      KExpr e = work.removeLast();
      for (String name : ContractionPattern.names(e)) {
        KStmt.Let l = lets.get(name);
        if (l != null && out.add(name)) work.add(l.value());
      }
    }
    return out;
  }

  private static List<KExpr> statementExpressions(List<KStmt> statements) {
    List<KExpr> out = new ArrayList<>();
    for (KStmt s : statements) {
      switch (s) {
        case KStmt.Let l -> out.add(l.value());
        case KStmt.Store st -> {
          out.add(st.index());
          out.add(st.value());
        }
        case KStmt.Structured st -> throw new IllegalStateException("the emitter takes flattened kernels, not a "
            + st.getClass().getSimpleName());
        case KStmt.Accumulate a -> {
          out.add(a.index());
          out.add(a.value());
        }
        default -> throw new IllegalStateException("not an epilogue statement: " + s);
      }
    }
    return out;
  }
}
