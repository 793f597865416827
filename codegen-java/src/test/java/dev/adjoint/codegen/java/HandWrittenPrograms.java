package dev.adjoint.codegen.java;

import static dev.adjoint.runtime.DType.BOOL;
import static dev.adjoint.runtime.DType.F16;
import static dev.adjoint.runtime.DType.F32;
import static dev.adjoint.runtime.DType.F64;
import static dev.adjoint.runtime.DType.I32;

import dev.adjoint.compiler.diag.SourceFile;
import dev.adjoint.compiler.diag.Span;
import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Shape;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelKind;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.runtime.DType;
import java.util.List;

/**
 * A kernel program written by hand to reach what lowered golden programs do not: hostile names
 * everywhere (quotes, comment ends, unicode escapes, non-ASCII, Java keywords, names that clash
 * once sanitised, shadowed names), i32 floor division of negative values, casts that saturate or
 * wrap, f16 arithmetic, every function, accumulation of f64 values into an f32 buffer, a parallel
 * loop that reads a mutable local, triangular and data-dependent loop extents.
 */
final class HandWrittenPrograms {
  private HandWrittenPrograms() {}

  /** The size every buffer is long: a symbol that tries to end a string literal. */
  static final String SIZE = "n\"; System.exit(2); //";

  static final Dim N = Dim.symbol(SIZE);

  static Buffer buffer(int id, String name, DType dtype, Buffer.Role role, Dim... shape) {
    return new Buffer(id, name, new TensorType(dtype, Shape.of(shape)), role);
  }

  static final Buffer X = buffer(0, "x\"); System.exit(1); //", F32, Buffer.Role.ARGUMENT, N);
  static final Buffer P = buffer(1, "*/ class Evil { /*", I32, Buffer.Role.PARAM, N);
  static final Buffer GROESSE = buffer(2, "größe∑", F64, Buffer.Role.ARGUMENT, N);
  static final Buffer FLAGS = buffer(3, "\\u000a", BOOL, Buffer.Role.ARGUMENT, N);
  static final Buffer CLASS = buffer(4, "class", F32, Buffer.Role.OUTPUT, N);
  static final Buffer MATH = buffer(5, "Math", F64, Buffer.Role.OUTPUT, N);
  static final Buffer CONTEXT = buffer(6, "context", I32, Buffer.Role.OUTPUT, N);
  static final Buffer A_DOT_B = buffer(7, "a.b", F32, Buffer.Role.OUTPUT, Dim.of(4));
  static final Buffer A_UNDERSCORE_B = buffer(8, "a_b", F16, Buffer.Role.OUTPUT, N);
  static final Buffer A_CAMEL_B = buffer(9, "aB", BOOL, Buffer.Role.OUTPUT, N);
  static final Buffer EMPTY = buffer(10, "", F32, Buffer.Role.TEMPORARY, N);
  static final Buffer HEX = buffer(11, "0x", F64, Buffer.Role.OUTPUT, Dim.of(2));
  static final Buffer TRI = buffer(12, "buffers", F32, Buffer.Role.OUTPUT, N, Dim.of(3));

  static KExpr c(double v, DType d) {
    return new KExpr.Const(v, d);
  }

  static KExpr v(String name, DType d) {
    return new KExpr.Var(name, d);
  }

  static KExpr bin(Fn fn, KExpr a, KExpr b) {
    return new KExpr.Binary(fn, a, b);
  }

  static KExpr un(Unary.Fn fn, KExpr x) {
    return new KExpr.Unary(fn, x);
  }

  static KExpr load(Buffer b, KExpr index) {
    return new KExpr.Load(b, index);
  }

  static KExpr cast(DType d, KExpr x) {
    return new KExpr.Cast(d, x);
  }

  static KernelProgram program() {
    SourceFile file = new SourceFile("dir/*/ evil\\u000a\u2028.adj", "one\ntwo\nthree\n");
    List<Span> origins = List.of(new Span(file, 4, 6), new Span(file, 8, 10));
    KExpr i = v("i\"", I32);
    KExpr n = new KExpr.Size(N);

    KExpr mathValue = v("Math", F64);
    KExpr functions = bin(Fn.ADD, bin(Fn.ADD, bin(Fn.ADD, bin(Fn.POW, mathValue, c(2, F64)),
        bin(Fn.MOD, mathValue, c(0.7, F64))), bin(Fn.ADD, un(Unary.Fn.EXP, mathValue), un(Unary.Fn.ERF, mathValue))),
        bin(Fn.ADD, bin(Fn.ADD, un(Unary.Fn.RSQRT, bin(Fn.ADD, un(Unary.Fn.ABS, mathValue), c(1, F64))),
            un(Unary.Fn.LOG1P, un(Unary.Fn.ABS, mathValue))),
            bin(Fn.SUB, un(Unary.Fn.TANH, mathValue), un(Unary.Fn.NEG, un(Unary.Fn.SIGN, mathValue)))));
    KExpr f = v("for", F32);
    Kernel first = new Kernel("k0_*/evil\\u000a", KernelKind.ELEMENTWISE, List.of(X, P, GROESSE, FLAGS),
        List.of(CLASS, MATH, CONTEXT, A_UNDERSCORE_B, A_CAMEL_B, EMPTY), List.of(
        new KStmt.Loop("i\"", n, true, List.of(
            new KStmt.Let("for", load(X, i)),
            new KStmt.Let("int", load(P, i)),
            new KStmt.Let("_", bin(Fn.DIV, v("int", I32), c(3, I32))),
            new KStmt.Let("var", bin(Fn.MOD, v("int", I32), c(3, I32))),
            new KStmt.Let("Math", load(GROESSE, i)),
            new KStmt.Let("yield", load(FLAGS, i)),
            new KStmt.Let("v1", new KExpr.Select(v("yield", BOOL), bin(Fn.MUL, f, c(2, F32)), un(Unary.Fn.NEG, f))),
            // A loop whose variable shadows the outer one, and a let that shadows an outer let.
            new KStmt.Declare("sum", F32, c(0, F32)),
            new KStmt.Loop("i\"", c(2, I32), false, List.of(
                new KStmt.Let("for", bin(Fn.MUL, cast(F32, v("i\"", I32)), c(-1.5, F32))),
                new KStmt.Assign("sum", bin(Fn.SUB, v("sum", F32), v("for", F32))))),
            new KStmt.Store(CLASS, i, bin(Fn.ADD, bin(Fn.ADD, v("v1", F32), cast(F32, v("_", I32))), v("sum", F32))),
            new KStmt.Store(MATH, i, functions),
            new KStmt.Store(CONTEXT, i, bin(Fn.ADD, bin(Fn.ADD, cast(I32, bin(Fn.MUL, f, c(1e10, F32))), v("var", I32)),
                bin(Fn.POW, v("int", I32), c(2, I32)))),
            new KStmt.Store(A_UNDERSCORE_B, i, bin(Fn.ADD, bin(Fn.MUL, cast(F16, f), c(0.1, F16)),
                bin(Fn.DIV, c(1, F16), cast(F16, v("Math", F64))))),
            new KStmt.Store(A_CAMEL_B, i, bin(Fn.OR, bin(Fn.AND, un(Unary.Fn.NOT, v("yield", BOOL)),
                bin(Fn.GT, f, c(0, F32))), bin(Fn.EQ, v("int", I32), c(0, I32)))),
            new KStmt.Store(EMPTY, i, bin(Fn.MAX, f, bin(Fn.MIN, v("v1", F32), c(1, F32))))))),
        origins, 12);

    KExpr s = v("s", F64);
    Kernel second = new Kernel("k1", KernelKind.REDUCTION, List.of(EMPTY), List.of(A_DOT_B, HEX), List.of(
        new KStmt.Declare("s", F64, c(0, F64)),
        new KStmt.Loop("j", n, false, List.of(
            new KStmt.Assign("s", bin(Fn.ADD, s, cast(F64, load(EMPTY, v("j", I32))))))),
        // Reads the mutable s: must stay on one thread.
        new KStmt.Loop("k", c(2, I32), true, List.of(
            new KStmt.Store(HEX, v("k", I32), bin(Fn.MUL, s, new KExpr.Random(0xdeadbeef, v("k", I32), F64))))),
        // Adds into a.b: must stay on one thread; the f64 values are summed in double and rounded to f32.
        new KStmt.Loop("q", n, true, List.of(
            new KStmt.DeclareArray("row", F32, c(4, I32), c(Double.NEGATIVE_INFINITY, F32)),
            new KStmt.Loop("c", c(4, I32), false, List.of(
                new KStmt.AssignElement("row", v("c", I32), bin(Fn.MAX, new KExpr.Element("row", v("c", I32), F32),
                    bin(Fn.MUL, load(EMPTY, v("q", I32)), cast(F32, v("c", I32))))))),
            new KStmt.Loop("c", c(4, I32), false, List.of(
                new KStmt.Accumulate(A_DOT_B, v("c", I32),
                    bin(Fn.MUL, cast(F64, new KExpr.Element("row", v("c", I32), F32)), c(0.5, F64)))))))),
        List.of(), 3);

    KExpr ii = v("i", I32);
    KExpr jj = v("j", I32);
    Kernel third = new Kernel("k2", KernelKind.CONTRACTION, List.of(), List.of(TRI), List.of(
        new KStmt.Loop("i", n, true, List.of(
            new KStmt.Loop("j", c(3, I32), true, List.of(
                new KStmt.Declare("acc", F32, c(0, F32)),
                // A triangular extent, and one read from a mutable local (evaluated once, on entry).
                new KStmt.Loop("t", bin(Fn.ADD, ii, c(1, I32)), false, List.of(
                    new KStmt.Assign("acc", bin(Fn.ADD, v("acc", F32), cast(F32, v("t", I32)))))),
                new KStmt.Declare("m", I32, bin(Fn.ADD, jj, c(1, I32))),
                new KStmt.Loop("u", v("m", I32), false, List.of(
                    new KStmt.Assign("acc", bin(Fn.MUL, v("acc", F32), c(0.5, F32))),
                    new KStmt.Assign("m", c(0, I32)))),
                new KStmt.Store(TRI, bin(Fn.ADD, bin(Fn.MUL, ii, c(3, I32)), jj), v("acc", F32))))))),
        List.of(), 2);

    return new KernelProgram("hostile \"names\" */", List.of(X, GROESSE, FLAGS), List.of(P),
        List.of(CLASS, MATH, CONTEXT, A_DOT_B, A_UNDERSCORE_B, A_CAMEL_B, HEX, TRI), List.of(EMPTY),
        List.of(first, second, third));
  }
}
