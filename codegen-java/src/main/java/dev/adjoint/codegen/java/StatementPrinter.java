package dev.adjoint.codegen.java;

import static dev.adjoint.codegen.java.JavaExpressions.ADDITIVE;
import static dev.adjoint.codegen.java.JavaExpressions.PRIMARY;
import static dev.adjoint.codegen.java.JavaExpressions.RELATION;
import static dev.adjoint.codegen.java.JavaExpressions.convert;
import static dev.adjoint.codegen.java.JavaExpressions.infix;
import static dev.adjoint.codegen.java.JavaExpressions.javaType;
import static dev.adjoint.codegen.java.JavaExpressions.narrow;
import static dev.adjoint.codegen.java.JavaExpressions.operand;
import static dev.adjoint.codegen.java.JavaExpressions.roundConst;
import static dev.adjoint.codegen.java.JavaExpressions.toDouble;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.adjoint.codegen.java.Env.Binding;
import dev.adjoint.codegen.java.Env.Kind;
import dev.adjoint.codegen.java.JavaExpressions.Code;
import dev.adjoint.compiler.schedule.AffineIndex;
import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.runtime.DType;
import java.util.Arrays;
import java.util.List;

/**
 * Prints kernel statements as Java statements: loops as Java loops, lets as {@code final} locals,
 * accumulators as mutable locals and arrays, loads and stores as array accesses, each binding the
 * kernel IR's names in an {@link Env} as the interpreter scopes them. A run of statements that a
 * row kernel computes ({@link RowKernelPrinter}) is handed to it first.
 */
final class StatementPrinter {
  private final KernelContext context;
  private final JavaExpressions expressions;
  private final RowKernelPrinter rows;
  private final RandomRowPrinter random;

  StatementPrinter(KernelContext context, JavaExpressions expressions) {
    this.context = context;
    this.expressions = expressions;
    this.rows = new RowKernelPrinter(context, expressions, this);
    this.random = new RandomRowPrinter(context, expressions);
  }

  JavaExpressions expressions() {
    return expressions;
  }

  /** The printer of row-kernel calls, which shares this kernel's row blocks. */
  RowKernelPrinter rows() {
    return rows;
  }

  /** The printer of random draws a row at a time. */
  RandomRowPrinter random() {
    return random;
  }

  /** An i32 expression printed as an index. */
  CodeBlock indexCode(KExpr e, Env env, String what) {
    return expressions.index(e, env, what).code();
  }

  CodeBlock exprCode(KExpr e, Env env) {
    return expressions.expr(e, env).code();
  }

  /** {@code stmts} in a block of their own: what they bind is gone after it. */
  void block(List<KStmt> stmts, Env outer, CodeBlock.Builder out) {
    statements(stmts, outer.child(), out);
  }

  /** {@code stmts} in {@code env} itself: what they bind stays bound there. */
  void statements(List<KStmt> stmts, Env env, CodeBlock.Builder out) {
    for (int i = 0; i < stmts.size(); i++) {
      int taken = rows.print(stmts, i, env, out);
      if (taken == 0) statement(stmts.get(i), env, out);
      else i += taken - 1;
    }
  }

  /** A loop of the method's own code, with the scratch rows its random draws use declared just before it. */
  void onCallingThread(KStmt.Loop loop, Env env, CodeBlock.Builder out) {
    Env scratch = env.withScratch(List.of(loop));
    CodeBlock.Builder code = CodeBlock.builder();
    statement(loop, scratch, code);
    out.add(scratch.scratchDeclarations()).add(code.build());
  }

  void statement(KStmt stmt, Env env, CodeBlock.Builder out) {
    switch (stmt) {
      case KStmt.Loop l -> {
        Code extent = expressions.index(l.extent(), env, "extent of loop " + l.var());
        if (!AffineIndex.invariant(l.extent()) && !expressions.readsOnlyFinals(l.extent(), env)) {
          // The interpreter evaluates an extent once; so does a final local.
          String n = env.names.claim(JavaNames.identifier(l.var(), "i") + "Count");
          out.addStatement("final int $N = $L", n, extent.code());
          extent = Code.of(PRIMARY, "$N", n);
        }
        Env inner = env.child();
        String v = bindLoopVar(l.var(), inner);
        if (AffineIndex.invariant(l.extent())) inner.drawn.putAll(random.drawRows(l.body(), l.var(), null, extent.code(), env, out));
        out.beginControlFlow("for (int $N = 0; $N < $L; $N++)", v, v, operand(extent, RELATION + 1), v);
        block(l.body(), inner, out);
        out.endControlFlow();
      }
      case KStmt.Let let -> {
        Code value = expressions.expr(let.value(), env);
        DType dtype = let.value().dtype();
        String v = env.names.claim(JavaNames.identifier(let.var(), "v"));
        out.addStatement("final $T $N = $L", javaType(dtype), v, value.code());
        env.scalars.put(let.var(), new Binding(v, dtype, Kind.LET, dtype == DType.I32 && expressions.nonNegative(let.value(), env),
            env.lambda));
      }
      case KStmt.Declare d -> {
        Code init = expressions.converted(d.init(), d.dtype(), env);
        String v = env.names.claim(JavaNames.identifier(d.var(), "v"));
        out.addStatement("$T $N = $L", javaType(d.dtype()), v, init.code());
        env.scalars.put(d.var(), new Binding(v, d.dtype(), Kind.DECLARE, false, env.lambda));
      }
      case KStmt.Assign a -> {
        Binding b = expressions.scalar(a.var(), env);
        if (b.kind() != Kind.DECLARE) {
          throw context.error("assignment to " + b.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + a.var()
              + "; only declared scalars can be assigned");
        }
        if (compound(a.value(), b.dtype()) instanceof KExpr.Binary sum && sum.a() instanceof KExpr.Var self
            && self.name().equals(a.var()) && self.dtype() == b.dtype()) {
          out.addStatement("$N += $L", b.java(), expressions.expr(sum.b(), env).code());
        } else {
          out.addStatement("$N = $L", b.java(), expressions.converted(a.value(), b.dtype(), env).code());
        }
      }
      case KStmt.DeclareArray d -> {
        Code length = expressions.index(d.length(), env, "length of array " + d.var());
        Code init = expressions.converted(d.init(), d.dtype(), env);
        String v = env.names.claim(JavaNames.identifier(d.var(), "a"));
        TypeName element = javaType(d.dtype());
        out.addStatement("final $T $N = new $T[$L]", ArrayTypeName.of(element), v, element, length.code());
        boolean zero = d.init() instanceof KExpr.Const c && roundConst(d.dtype(), c.value()) == 0;
        if (!zero) out.addStatement("$T.fill($N, $L)", Arrays.class, v, init.code());
        env.arrays.put(d.var(), new Binding(v, d.dtype(), Kind.ARRAY, false, env.lambda));
      }
      case KStmt.AssignElement a -> {
        Binding b = expressions.array(a.array(), env);
        Code idx = expressions.index(a.index(), env, "index of " + a.array());
        if (compound(a.value(), b.dtype()) instanceof KExpr.Binary sum && sum.a() instanceof KExpr.Element self
            && self.array().equals(a.array()) && self.index().equals(a.index()) && self.dtype() == b.dtype()) {
          out.addStatement("$N[$L] += $L", b.java(), idx.code(), expressions.expr(sum.b(), env).code());
        } else {
          out.addStatement("$N[$L] = $L", b.java(), idx.code(), expressions.converted(a.value(), b.dtype(), env).code());
        }
      }
      case KStmt.Store s -> {
        String buffer = context.target(s.buffer(), "stores to");
        Code idx = expressions.index(s.index(), env, "index of " + s.buffer().name());
        Code value = expressions.converted(s.value(), s.buffer().type().dtype(), env);
        out.addStatement("$N[$L] = $L", buffer, idx.code(), value.code());
      }
      case KStmt.Structured st -> throw new IllegalStateException("the emitter takes flattened kernels, not a "
          + st.getClass().getSimpleName());
      case KStmt.Accumulate s -> {
        String buffer = context.target(s.buffer(), "accumulates into");
        context.accumulate(s.buffer());
        DType dtype = s.buffer().type().dtype();
        Code idx = expressions.index(s.index(), env, "index of " + s.buffer().name());
        Code value = expressions.expr(s.value(), env);
        if (s.value().dtype() == dtype && (dtype == DType.F32 || dtype == DType.F64 || dtype == DType.I32)) {
          out.addStatement("$N[$L] += $L", buffer, idx.code(), value.code());
        } else {
          // Sum in double, then round to the buffer's type, as the interpreter does.
          CodeBlock at = idx.code();
          if (!(s.index() instanceof KExpr.Var || s.index() instanceof KExpr.Const)) {
            String i = env.names.claim("index");
            out.addStatement("final int $N = $L", i, idx.code());
            at = CodeBlock.of("$N", i);
          }
          Code current = Code.of(PRIMARY, "$N[$L]", buffer, at);
          if (dtype != DType.F64) current = convert(current, dtype, DType.F64);
          Code sum = infix("+", ADDITIVE, current, toDouble(value, s.value().dtype()), true);
          out.addStatement("$N[$L] = $L", buffer, at, narrow(sum, dtype).code());
        }
      }
    }
  }


  /**
   * {@code x + y} at {@code dtype} when {@code x += y} means the same: f32, f64 and i32 compound
   * assignment does the operation at the variable's type, which is the interpreter's rounding.
   */
  private static KExpr compound(KExpr value, DType dtype) {
    boolean plain = dtype == DType.F32 || dtype == DType.F64 || dtype == DType.I32;
    return plain && value instanceof KExpr.Binary b && b.fn() == Fn.ADD && b.a().dtype() == dtype
        && b.b().dtype() == dtype ? b : null;
  }

  // ---- bindings

  /** Binds loop variable {@code irName} to a new Java index; returns its Java name. */
  String bindLoopVar(String irName, Env env) {
    String v = env.names.claim(JavaNames.identifier(irName, "i"));
    env.scalars.put(irName, new Binding(v, DType.I32, Kind.LOOP, true, env.lambda));
    return v;
  }

  /** Binds the kernel IR name {@code irName} to a new {@code final} local of type {@code dtype}; returns its Java name. */
  String bindFinal(String irName, DType dtype, Env env) {
    String v = env.names.claim(JavaNames.identifier(irName, "v"));
    env.scalars.put(irName, new Binding(v, dtype, Kind.LET, false, env.lambda));
    return v;
  }

  /** Binds the Java index {@code javaName} under a kernel IR name no statement uses; returns that name. */
  String bindSynthetic(String javaName, Env env) {
    String key = "flat";
    for (int n = 2; context.isIrName(key) || env.scalars.containsKey(key); n++) key = "flat" + n;
    env.scalars.put(key, new Binding(javaName, DType.I32, Kind.LOOP, true, env.lambda));
    return key;
  }

  /**
   * Binds loop {@code i} of {@code loops} from a flat index {@code flat} that counts, outermost
   * first, every loop of {@code loops} and then {@code innermost} more: {@code flat / stride % extent}.
   */
  void decodeLoopVar(List<KStmt.Loop> loops, int i, KExpr flat, KExpr innermost, Env env, CodeBlock.Builder out) {
    KExpr stride = innermost;
    for (int j = loops.size() - 1; j > i; j--) stride = KExpr.mul(loops.get(j).extent(), stride);
    KExpr value = KExpr.div(flat, stride);
    if (i > 0) value = KExpr.mod(value, loops.get(i).extent());
    Code code = expressions.index(value, env, "index of loop " + loops.get(i).var());
    String v = bindLoopVar(loops.get(i).var(), env);
    out.addStatement("final int $N = $L", v, code.code());
  }
}
