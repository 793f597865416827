package dev.adjoint.compiler.kernel;

import static dev.adjoint.compiler.kernel.K.add;
import static dev.adjoint.compiler.kernel.K.bin;
import static dev.adjoint.compiler.kernel.K.buffer;
import static dev.adjoint.compiler.kernel.K.d;
import static dev.adjoint.compiler.kernel.K.div;
import static dev.adjoint.compiler.kernel.K.f32;
import static dev.adjoint.compiler.kernel.K.f64;
import static dev.adjoint.compiler.kernel.K.flat;
import static dev.adjoint.compiler.kernel.K.i;
import static dev.adjoint.compiler.kernel.K.idx;
import static dev.adjoint.compiler.kernel.K.load;
import static dev.adjoint.compiler.kernel.K.loop;
import static dev.adjoint.compiler.kernel.K.max;
import static dev.adjoint.compiler.kernel.K.mul;
import static dev.adjoint.compiler.kernel.K.pfor;
import static dev.adjoint.compiler.kernel.K.size;
import static dev.adjoint.compiler.kernel.K.sub;
import static dev.adjoint.compiler.kernel.K.un;
import static dev.adjoint.compiler.kernel.K.var;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.compiler.diag.SourceFile;
import dev.adjoint.compiler.diag.Span;
import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.runtime.DType;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelPrinterTest {
  static final Dim B = d("B");
  static final Dim H = d("H");
  static final Dim T = d("T");

  /** softmax(s + mask) over the last axis of f32[B, H, T, T], with its source lines. */
  static Kernel softmax() {
    Buffer s = buffer(3, "s", DType.F32, Buffer.Role.TEMPORARY, B, H, T, T);
    Buffer mask = buffer(1, "mask", DType.F32, Buffer.Role.ARGUMENT, T, T);
    Buffer p = buffer(4, "p", DType.F32, Buffer.Role.TEMPORARY, B, H, T, T);
    List<Dim> dims = List.of(B, H, T, T);
    KExpr at = flat(List.of(i("i0"), i("i1"), i("i2"), i("j")), dims);
    KExpr x = add(load(s, at), load(mask, flat(List.of(i("i2"), i("j")), List.of(T, T))));
    KExpr m = var("m0", DType.F32);
    KExpr l = var("l0", DType.F32);
    SourceFile file = new SourceFile("models/attention.adj", "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\n");
    List<Span> origins = List.of(new Span(file, 24, 25), new Span(file, 22, 23), new Span(file, 24, 25),
        Span.synthetic("prelude"));
    return new Kernel("k3_softmax", KernelKind.REDUCTION, List.of(s, mask), List.of(p), List.of(
        pfor("i0", size(B), pfor("i1", size(H), pfor("i2", size(T),
            new KStmt.Declare("m0", DType.F32, f32(Double.NEGATIVE_INFINITY)),
            loop("j", size(T), new KStmt.Assign("m0", max(m, x))),
            new KStmt.Declare("l0", DType.F32, f32(0)),
            loop("j", size(T), new KStmt.Assign("l0", add(l, un(Unary.Fn.EXP, sub(x, m))))),
            loop("j", size(T), new KStmt.Store(p, at, div(un(Unary.Fn.EXP, sub(x, m)), l))))))),
        origins, 6);
  }

  @Test
  void kernelGolden() {
    assertEquals("""
        kernel k3_softmax [reduction]   # attention.adj:12, 13
          reads  s : f32[B, H, T, T], mask : f32[T, T]
          writes p : f32[B, H, T, T]
          parallel for i0 in 0..B {
            parallel for i1 in 0..H {
              parallel for i2 in 0..T {
                var m0: f32 = -inf
                for j in 0..T {
                  m0 = max(m0, s[((i0 * H + i1) * T + i2) * T + j] + mask[i2 * T + j])
                }
                var l0: f32 = 0.0
                for j in 0..T {
                  l0 = l0 + exp(s[((i0 * H + i1) * T + i2) * T + j] + mask[i2 * T + j] - m0)
                }
                for j in 0..T {
                  p[((i0 * H + i1) * T + i2) * T + j] = exp(s[((i0 * H + i1) * T + i2) * T + j] + mask[i2 * T + j] - m0) / l0
                }
              }
            }
          }
        """, KernelPrinter.print(softmax()));
  }

  @Test
  void programGolden() {
    Dim m = d("M");
    Dim n = d(4);
    Buffer a = buffer(0, "a", DType.F64, Buffer.Role.ARGUMENT, m, d(3));
    Buffer b = buffer(1, "b", DType.F64, Buffer.Role.PARAM, d(3), n);
    Buffer c = buffer(2, "c", DType.F64, Buffer.Role.TEMPORARY, m, n);
    Buffer total = buffer(3, "total", DType.F64, Buffer.Role.OUTPUT);
    Kernel mm = KernelInterpreterTest.matmul(a, b, c, m, d(3), n, DType.F64);
    Kernel sum = new Kernel("k1_sum", KernelKind.REDUCTION, List.of(c), List.of(total), List.of(
        pfor("i", size(m.times(n)), new KStmt.Accumulate(total, idx(0), load(c, i("i"))))), List.of(), 1);
    KernelProgram p = new KernelProgram("forward", List.of(a), List.of(b), List.of(total), List.of(c), List.of(mm, sum));
    assertEquals("""
        program forward
          arguments a : f64[M, 3]
          params b : f64[3, 4]
          outputs total : f64
          temporaries c : f64[M, 4]

        kernel k0_matmul [contraction]
          reads  a : f64[M, 3], b : f64[3, 4]
          writes c : f64[M, 4]
          parallel for i in 0..M {
            var acc: f64[4] = 0.0
            for k in 0..3 {
              let aik: f64 = a[i * 3 + k]
              for j in 0..4 {
                acc[j] = acc[j] + aik * b[k * 4 + j]
              }
            }
            for j in 0..4 {
              c[i * 4 + j] = acc[j]
            }
          }

        kernel k1_sum [reduction]
          reads  c : f64[M, 4]
          writes total : f64
          parallel for i in 0..4*M {
            total[0] += c[i]
          }
        """, KernelPrinter.print(p));
  }

  @Test
  void parenthesesOnlyWhereTheTreeNeedsThem() {
    KExpr a = var("a", DType.F64);
    KExpr b = var("b", DType.F64);
    KExpr c = var("c", DType.F64);
    assertEquals("a - b - c", KernelPrinter.expr(sub(sub(a, b), c)));
    assertEquals("a - (b - c)", KernelPrinter.expr(sub(a, sub(b, c))));
    assertEquals("a + (b + c)", KernelPrinter.expr(add(a, add(b, c))));
    assertEquals("(a + b) * c", KernelPrinter.expr(mul(add(a, b), c)));
    assertEquals("a + b * c", KernelPrinter.expr(add(a, mul(b, c))));
    assertEquals("a / (b * c)", KernelPrinter.expr(div(a, mul(b, c))));
    assertEquals("-(a + b)", KernelPrinter.expr(un(Unary.Fn.NEG, add(a, b))));
    assertEquals("-(-a)", KernelPrinter.expr(un(Unary.Fn.NEG, un(Unary.Fn.NEG, a))));
    assertEquals("-a * b", KernelPrinter.expr(mul(un(Unary.Fn.NEG, a), b)));
    assertEquals("a * -1.0", KernelPrinter.expr(mul(a, f64(-1))));
    assertEquals("a < b == b < c", KernelPrinter.expr(bin(Fn.EQ, bin(Fn.LT, a, b), bin(Fn.LT, b, c))));
    assertEquals("a < b && b <= c || !(a == c)", KernelPrinter.expr(bin(Fn.OR,
        bin(Fn.AND, bin(Fn.LT, a, b), bin(Fn.LE, b, c)), un(Unary.Fn.NOT, bin(Fn.EQ, a, c)))));
    assertEquals("pow(a + b, 2.0)", KernelPrinter.expr(bin(Fn.POW, add(a, b), f64(2))));
    assertEquals("min(a, sqrt(b))", KernelPrinter.expr(bin(Fn.MIN, a, un(Unary.Fn.SQRT, b))));
    assertEquals("i % 4 / 2", KernelPrinter.expr(bin(Fn.DIV, bin(Fn.MOD, i("i"), idx(4)), idx(2))));
  }

  @Test
  void sizesLiteralsAndSpecialForms() {
    Dim tPlus1 = T.plus(Dim.of(1));
    assertEquals("(T + 1) * 2", KernelPrinter.expr(mul(size(tPlus1), idx(2))));
    assertEquals("i * (B*T)", KernelPrinter.expr(mul(i("i"), size(B.times(T)))));
    assertEquals("i / (B*T)", KernelPrinter.expr(bin(Fn.DIV, i("i"), size(B.times(T)))));
    assertEquals("where(i < T, x[i], 0.0)", KernelPrinter.expr(new KExpr.Select(bin(Fn.LT, i("i"), size(T)),
        load(buffer(0, "x", DType.F64, Buffer.Role.ARGUMENT, T), i("i")), f64(0))));
    assertEquals("cast<f64>(i + 1)", KernelPrinter.expr(new KExpr.Cast(DType.F64, add(i("i"), idx(1)))));
    assertEquals("random(0x2a, i * 2 + 1)",
        KernelPrinter.expr(new KExpr.Random(42, add(mul(i("i"), idx(2)), idx(1)), DType.F32)));
    assertEquals("acc[j]", KernelPrinter.expr(new KExpr.Element("acc", i("j"), DType.F32)));
    assertEquals("0.1", KernelPrinter.expr(f32(0.1)));
    assertEquals("0.1", KernelPrinter.expr(f64(0.1)));
    assertEquals("1.0e-5", KernelPrinter.expr(f32(1e-5)));
    assertEquals("nan", KernelPrinter.expr(f64(Double.NaN)));
    assertEquals("inf", KernelPrinter.expr(f64(Double.POSITIVE_INFINITY)));
    assertEquals("-3", KernelPrinter.expr(idx(-3)));
    assertEquals("true", KernelPrinter.expr(new KExpr.Const(1, DType.BOOL)));
    assertEquals("0.33325195", KernelPrinter.expr(new KExpr.Const(1.0 / 3, DType.F16)));
  }
}
