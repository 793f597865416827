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
import static dev.adjoint.compiler.kernel.K.kernel;
import static dev.adjoint.compiler.kernel.K.load;
import static dev.adjoint.compiler.kernel.K.loop;
import static dev.adjoint.compiler.kernel.K.max;
import static dev.adjoint.compiler.kernel.K.mul;
import static dev.adjoint.compiler.kernel.K.pfor;
import static dev.adjoint.compiler.kernel.K.size;
import static dev.adjoint.compiler.kernel.K.sub;
import static dev.adjoint.compiler.kernel.K.un;
import static dev.adjoint.compiler.kernel.K.var;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.compiler.interp.EvaluationException;
import dev.adjoint.compiler.interp.Interpreter;
import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Emitter;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.GraphBuilder;
import dev.adjoint.compiler.ir.Input;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.compiler.ir.RandomUniform;
import dev.adjoint.compiler.ir.Shape;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.random.Philox4x32;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KernelInterpreterTest {
  private static final Buffer.Role ARG = Buffer.Role.ARGUMENT;
  private static final Buffer.Role OUT = Buffer.Role.OUTPUT;
  private static final Buffer.Role TMP = Buffer.Role.TEMPORARY;

  private static EvalContext sizes(Object... nameValue) {
    Map<String, Long> m = new HashMap<>();
    for (int k = 0; k < nameValue.length; k += 2) m.put((String) nameValue[k], ((Number) nameValue[k + 1]).longValue());
    return new EvalContext(m, 1234L, 7);
  }

  private static KernelProgram program(List<Buffer> args, List<Buffer> outs, List<Buffer> temps, Kernel... kernels) {
    return new KernelProgram("test", args, List.of(), outs, temps, List.of(kernels));
  }

  private static double[] random(int n, long seed) {
    Random r = new Random(seed);
    double[] out = new double[n];
    for (int k = 0; k < n; k++) out[k] = r.nextGaussian();
    return out;
  }

  private static double[] run1(KernelProgram p, Map<String, DArray> inputs, EvalContext c) {
    return KernelInterpreter.outputs(p, inputs, c).get(0).toArray();
  }

  @Test
  void elementwiseKernel() {
    Dim n = d("N");
    Buffer x = buffer(0, "x", DType.F64, ARG, n);
    Buffer w = buffer(1, "w", DType.F64, ARG, n);
    Buffer y = buffer(2, "y", DType.F64, OUT, n);
    // y[i] = exp(x[i]) * 2 + w[i]
    Kernel k = kernel("k0_ew", KernelKind.ELEMENTWISE, List.of(x, w), List.of(y),
        pfor("i", size(n), new KStmt.Store(y, i("i"),
            add(mul(un(Unary.Fn.EXP, load(x, i("i"))), f64(2)), load(w, i("i"))))));
    double[] xs = random(5, 1);
    double[] ws = random(5, 2);
    double[] out = run1(program(List.of(x, w), List.of(y), List.of(), k),
        Map.of("x", DArray.of(DType.F64, new int[] {5}, xs.clone()), "w", DArray.of(DType.F64, new int[] {5}, ws.clone())),
        sizes("N", 5));
    for (int j = 0; j < 5; j++) assertEquals(Math.exp(xs[j]) * 2 + ws[j], out[j], 0.0);
  }

  @Test
  void rowReductionWithHoistedAccumulators() {
    // softmax over the rows of x : f64[R, C]
    Dim r = d("R");
    Dim c = d("C");
    Buffer x = buffer(0, "x", DType.F64, ARG, r, c);
    Buffer p = buffer(1, "p", DType.F64, OUT, r, c);
    KExpr xij = load(x, flat(List.of(i("i"), i("j")), List.of(r, c)));
    KExpr m = var("m", DType.F64);
    KExpr l = var("l", DType.F64);
    Kernel k = kernel("k0_softmax", KernelKind.REDUCTION, List.of(x), List.of(p),
        pfor("i", size(r),
            new KStmt.Declare("m", DType.F64, f64(Double.NEGATIVE_INFINITY)),
            loop("j", size(c), new KStmt.Assign("m", max(m, xij))),
            new KStmt.Declare("l", DType.F64, f64(0)),
            loop("j", size(c), new KStmt.Assign("l", add(l, un(Unary.Fn.EXP, sub(xij, m))))),
            loop("j", size(c), new KStmt.Store(p, flat(List.of(i("i"), i("j")), List.of(r, c)),
                div(un(Unary.Fn.EXP, sub(xij, m)), l)))));
    int rows = 3;
    int cols = 4;
    double[] xs = random(rows * cols, 3);
    double[] out = run1(program(List.of(x), List.of(p), List.of(), k),
        Map.of("x", DArray.of(DType.F64, new int[] {rows, cols}, xs.clone())), sizes("R", rows, "C", cols));
    for (int a = 0; a < rows; a++) {
      double mx = Double.NEGATIVE_INFINITY;
      for (int b = 0; b < cols; b++) mx = Math.max(mx, xs[a * cols + b]);
      double sum = 0;
      for (int b = 0; b < cols; b++) sum += Math.exp(xs[a * cols + b] - mx);
      for (int b = 0; b < cols; b++) assertEquals(Math.exp(xs[a * cols + b] - mx) / sum, out[a * cols + b], 0.0);
    }
  }

  /** c[i, j] = Σ_k a[i, k] b[k, j] with one accumulator per output column. */
  static Kernel matmul(Buffer a, Buffer b, Buffer c, Dim m, Dim kk, Dim n, DType dtype) {
    KExpr acc = new KExpr.Element("acc", i("j"), dtype);
    return kernel("k0_matmul", KernelKind.CONTRACTION, List.of(a, b), List.of(c),
        pfor("i", size(m),
            new KStmt.DeclareArray("acc", dtype, size(n), new KExpr.Const(0, dtype)),
            loop("k", size(kk),
                new KStmt.Let("aik", load(a, flat(List.of(i("i"), i("k")), List.of(m, kk)))),
                loop("j", size(n), new KStmt.AssignElement("acc", i("j"),
                    add(acc, mul(var("aik", dtype), load(b, flat(List.of(i("k"), i("j")), List.of(kk, n)))))))),
            loop("j", size(n), new KStmt.Store(c, flat(List.of(i("i"), i("j")), List.of(m, n)), acc))));
  }

  @Test
  void contractionWithLocalArrayAccumulator() {
    Dim m = d("M");
    Dim kk = d(3);
    Dim n = d("N");
    Buffer a = buffer(0, "a", DType.F64, ARG, m, kk);
    Buffer b = buffer(1, "b", DType.F64, ARG, kk, n);
    Buffer c = buffer(2, "c", DType.F64, OUT, m, n);
    double[] as = random(2 * 3, 4);
    double[] bs = random(3 * 4, 5);
    double[] out = run1(program(List.of(a, b), List.of(c), List.of(), matmul(a, b, c, m, kk, n, DType.F64)),
        Map.of("a", DArray.of(DType.F64, new int[] {2, 3}, as.clone()), "b", DArray.of(DType.F64, new int[] {3, 4}, bs.clone())),
        sizes("M", 2, "N", 4));
    for (int x = 0; x < 2; x++) {
      for (int y = 0; y < 4; y++) {
        double s = 0;
        for (int z = 0; z < 3; z++) s = s + as[x * 3 + z] * bs[z * 4 + y];
        assertEquals(s, out[x * 4 + y], 0.0);
      }
    }
  }

  @Test
  void accumulateZeroesItsBufferAndStoreDoesNot() {
    Dim r = d(3);
    Dim c = d(2);
    Buffer x = buffer(0, "x", DType.F64, ARG, r, c);
    Buffer colsum = buffer(1, "colsum", DType.F64, OUT, c);
    Buffer firsts = buffer(2, "firsts", DType.F64, OUT, r);
    // colsum[j] += x[i, j] inside a row kernel; firsts[i] = x[i, 0] for i ≥ 1 only.
    Kernel k = kernel("k0_colsum", KernelKind.REDUCTION, List.of(x), List.of(colsum, firsts),
        pfor("i", size(r),
            loop("j", size(c), new KStmt.Accumulate(colsum, i("j"), load(x, flat(List.of(i("i"), i("j")), List.of(r, c))))),
            new KStmt.Store(firsts, i("i"), new KExpr.Select(bin(Fn.GE, i("i"), idx(1)),
                load(x, mul(i("i"), idx(2))), load(firsts, i("i"))))));
    Map<Buffer, double[]> storage = new HashMap<>();
    storage.put(x, new double[] {1, 2, 3, 4, 5, 6});
    storage.put(colsum, new double[] {100, 100});
    storage.put(firsts, new double[] {-1, -1, -1});
    KernelInterpreter.runKernel(k, storage, sizes());
    assertArrayEquals(new double[] {9, 12}, storage.get(colsum));
    assertArrayEquals(new double[] {-1, 3, 5}, storage.get(firsts));
    // Twice: the accumulator starts again from zero.
    KernelInterpreter.runKernel(k, storage, sizes());
    assertArrayEquals(new double[] {9, 12}, storage.get(colsum));
  }

  @Test
  void randomNumbersArePhilox() {
    Dim n = d("N");
    Buffer u = buffer(0, "u", DType.F32, OUT, n);
    Buffer v = buffer(1, "v", DType.F64, OUT, n);
    Kernel k = kernel("k0_rand", KernelKind.ELEMENTWISE, List.of(), List.of(u, v),
        pfor("i", size(n),
            new KStmt.Store(u, i("i"), new KExpr.Random(0x5eed, i("i"), DType.F32)),
            new KStmt.Store(v, i("i"), new KExpr.Random(0x5eed, add(i("i"), idx(1)), DType.F64))));
    EvalContext context = sizes("N", 37);
    List<DArray> out = KernelInterpreter.outputs(program(List.of(), List.of(u, v), List.of(), k), Map.of(), context);
    for (int j = 0; j < 37; j++) {
      assertEquals(Philox4x32.uniform(1234L, 7, 0x5eed, j), out.get(0).get(j), 0.0);
      assertEquals(Philox4x32.uniform(1234L, 7, 0x5eed, j + 1), out.get(1).get(j), 0.0);
    }
  }

  @Test
  void f32KernelsSeeF32Arithmetic() {
    Buffer s32 = buffer(0, "s32", DType.F32, OUT);
    Buffer s64 = buffer(1, "s64", DType.F64, OUT);
    Buffer q = buffer(2, "q", DType.F32, OUT);
    // Ten additions of 0.1: f32 accumulation drifts differently from f64.
    Kernel k = kernel("k0_sum", KernelKind.REDUCTION, List.of(), List.of(s32, s64, q),
        new KStmt.Declare("a", DType.F32, f32(0)),
        new KStmt.Declare("b", DType.F64, f64(0)),
        loop("t", idx(10),
            new KStmt.Assign("a", add(var("a", DType.F32), f32(0.1))),
            new KStmt.Assign("b", add(var("b", DType.F64), f64(0.1)))),
        new KStmt.Store(s32, idx(0), var("a", DType.F32)),
        new KStmt.Store(s64, idx(0), var("b", DType.F64)),
        // an f64 value stored into an f32 buffer is rounded; 1/3 computed in f32
        new KStmt.Store(q, idx(0), div(f32(1), f32(3))));
    List<DArray> out = KernelInterpreter.outputs(program(List.of(), List.of(s32, s64, q), List.of(), k), Map.of(), sizes());
    float a = 0;
    double b = 0;
    for (int t = 0; t < 10; t++) {
      a += 0.1f;
      b += 0.1;
    }
    assertEquals(a, out.get(0).get(0), 0.0);
    assertEquals(1.0000001192092896, out.get(0).get(0), 0.0);
    assertEquals(b, out.get(1).get(0), 0.0);
    assertEquals(1f / 3f, out.get(2).get(0), 0.0);
  }

  @Test
  void integerArithmeticFloorsAndCastsTruncate() {
    Buffer r = buffer(0, "r", DType.I32, OUT, d(9));
    Buffer cond = buffer(1, "cond", DType.BOOL, OUT, d(3));
    Buffer picked = buffer(2, "picked", DType.F64, OUT, d(2));
    KExpr m7 = idx(-7);
    KExpr[] values = {
        bin(Fn.DIV, m7, idx(2)), bin(Fn.MOD, m7, idx(2)), bin(Fn.DIV, idx(7), idx(2)), bin(Fn.MOD, idx(7), idx(3)),
        new KExpr.Cast(DType.I32, f64(-2.7)), new KExpr.Cast(DType.I32, f64(2.7)), bin(Fn.POW, idx(3), idx(4)),
        sub(idx(3), mul(idx(4), idx(5))), bin(Fn.MAX, idx(-3), idx(2))};
    KStmt[] body = new KStmt[values.length + 5];
    for (int k = 0; k < values.length; k++) body[k] = new KStmt.Store(r, idx(k), values[k]);
    body[values.length] = new KStmt.Store(cond, idx(0), bin(Fn.LT, idx(2), idx(3)));
    body[values.length + 1] = new KStmt.Store(cond, idx(1), bin(Fn.EQ, f64(0.5), f64(0.25)));
    body[values.length + 2] = new KStmt.Store(cond, idx(2), bin(Fn.AND, bin(Fn.GE, idx(2), idx(2)),
        un(Unary.Fn.NOT, bin(Fn.NE, idx(1), idx(1)))));
    body[values.length + 3] = new KStmt.Store(picked, idx(0), new KExpr.Select(bin(Fn.GT, idx(1), idx(0)), f64(10), f64(20)));
    body[values.length + 4] = new KStmt.Store(picked, idx(1), new KExpr.Select(new KExpr.Const(0, DType.BOOL), f64(10), f64(20)));
    Kernel k = kernel("k0_int", KernelKind.ELEMENTWISE, List.of(), List.of(r, cond, picked), body);
    List<DArray> out = KernelInterpreter.outputs(program(List.of(), List.of(r, cond, picked), List.of(), k), Map.of(), sizes());
    assertArrayEquals(new double[] {-4, 1, 3, 1, -2, 2, 81, -17, 2}, out.get(0).toArray());
    assertArrayEquals(new double[] {1, 0, 1}, out.get(1).toArray());
    assertArrayEquals(new double[] {10, 20}, out.get(2).toArray());
  }

  @Test
  void integerDivisionByZeroIsAnEvaluationError() {
    Buffer r = buffer(0, "r", DType.I32, OUT);
    Kernel k = kernel("k9_div", KernelKind.ELEMENTWISE, List.of(), List.of(r), new KStmt.Store(r, idx(0), bin(Fn.DIV, idx(1), idx(0))));
    var e = assertThrows(EvaluationException.class,
        () -> KernelInterpreter.run(program(List.of(), List.of(r), List.of(), k), Map.of(), sizes()));
    assertTrue(e.getMessage().contains("k9_div"), e.getMessage());
  }

  @Test
  void scopingIsLexicalAndInnermostWins() {
    Buffer out = buffer(0, "out", DType.F64, OUT, d(4));
    KExpr t = var("t", DType.F64);
    // let t = 1; for j in 0..2 { let t = t + 10; out[j] = t }; out[2] = t; out[3] = size
    Kernel k = kernel("k0_scope", KernelKind.ELEMENTWISE, List.of(), List.of(out),
        new KStmt.Let("t", f64(1)),
        loop("j", idx(2), new KStmt.Let("t", add(t, f64(10))), new KStmt.Store(out, i("j"), t)),
        new KStmt.Store(out, idx(2), t),
        new KStmt.Store(out, idx(3), new KExpr.Cast(DType.F64, size(Dim.symbol("B").times(Dim.symbol("T"))))));
    assertArrayEquals(new double[] {11, 11, 1, 6},
        run1(program(List.of(), List.of(out), List.of(), k), Map.of(), sizes("B", 2, "T", 3)));
  }

  /** tanh(x) · exp(x) / (x + 2) + erf(x)² + u, u uniform: the graph interpreter's bits exactly. */
  @ParameterizedTest
  @EnumSource(value = DType.class, names = {"F32", "F64", "BF16"})
  void elementwiseAgreesBitForBitWithTheGraphInterpreter(DType dtype) {
    Dim n = d("N");
    TensorType type = new TensorType(dtype, Shape.of(n));
    GraphBuilder builder = new GraphBuilder();
    Emitter e = new Emitter(builder);
    Node gx = builder.add(new Input("x", Input.Kind.ARGUMENT, type));
    Node erf = e.unary(Unary.Fn.ERF, gx);
    Node gy = e.add(e.add(e.div(e.mul(e.unary(Unary.Fn.TANH, gx), e.unary(Unary.Fn.EXP, gx)), e.add(gx, e.fullLike(2, gx))),
        e.mul(erf, erf)), builder.add(new RandomUniform(type, 99)));
    Graph graph = new Graph("f", List.of(gx), List.of(), List.of(gy));

    Buffer x = new Buffer(0, "x", type, ARG);
    Buffer y = new Buffer(1, "y", type, OUT);
    KExpr xi = load(x, i("i"));
    KExpr erfi = var("erf", dtype);
    Kernel k = kernel("k0_f", KernelKind.ELEMENTWISE, List.of(x), List.of(y), pfor("i", size(n),
        new KStmt.Let("erf", un(Unary.Fn.ERF, xi)),
        new KStmt.Store(y, i("i"), add(add(div(mul(un(Unary.Fn.TANH, xi), un(Unary.Fn.EXP, xi)),
            add(xi, new KExpr.Const(2, dtype))), mul(erfi, erfi)), new KExpr.Random(99, i("i"), dtype)))));

    EvalContext context = sizes("N", 50);
    Map<String, DArray> in = Map.of("x", DArray.of(dtype, new int[] {50}, random(50, 8)));
    double[] expected = Interpreter.run(graph, in, context).get(0).toArray();
    assertArrayEquals(expected, run1(program(List.of(x), List.of(y), List.of(), k), in, context));
  }

  /** A row softmax as maps and reductions runs as itself, with the bits of the loops it flattens to. */
  @Test
  void structuredStatementsRunWithTheBitsOfTheirLoops() {
    Buffer x = buffer(0, "x", DType.F32, ARG, d("R"), d(8));
    Buffer y = buffer(1, "y", DType.F32, OUT, d("R"), d(8));
    Axis r = new Axis("r", idx(8));
    KExpr xr = load(x, add(mul(i("i"), idx(8)), i("r")));
    KExpr xj = load(x, add(mul(i("i"), idx(8)), i("j")));
    KStmt rows = new KStmt.ForAll(List.of(new Axis("i", size(d("R")))), List.of(
        new KStmt.Declare("m", DType.F32, Reducer.MAX.identity(DType.F32)),
        new KStmt.Reduce("m", Reducer.MAX, List.of(r), List.of(new KStmt.Let("a", xr)), var("a", DType.F32)),
        new KStmt.Declare("s", DType.F32, f32(0)),
        new KStmt.Reduce("s", Reducer.SUM, List.of(r), List.of(new KStmt.Let("e", un(Unary.Fn.EXP, sub(xr,
            var("m", DType.F32))))), var("e", DType.F32)),
        new KStmt.ForAll(List.of(new Axis("j", idx(8))), List.of(new KStmt.Store(y, add(mul(i("i"), idx(8)), i("j")),
            div(un(Unary.Fn.EXP, sub(xj, var("m", DType.F32))), var("s", DType.F32)))))));
    Kernel k = Kernel.of("k0_reduction", List.of(x), List.of(y), List.of(rows), List.of(), 5);
    assertEquals(KernelKind.REDUCTION, k.kind());
    EvalContext context = sizes("R", 6);
    Map<String, DArray> in = Map.of("x", DArray.of(DType.F32, new int[] {6, 8}, random(48, 3)));
    double[] structured = run1(program(List.of(x), List.of(y), List.of(), k), in, context);
    double[] flat = run1(program(List.of(x), List.of(y), List.of(), k.flatten()), in, context);
    assertArrayEquals(flat, structured);
    double rowSum = 0;
    for (int j = 0; j < 8; j++) rowSum += structured[j];
    assertEquals(1, rowSum, 1e-6);
    // A reduction folds into a declared scalar of its dtype, nothing else.
    Kernel undeclared = Kernel.of("k1_bad", List.of(x), List.of(y), List.of(new KStmt.ForAll(
        List.of(new Axis("i", size(d("R")))), List.of(new KStmt.Let("m", f32(0)),
            new KStmt.Reduce("m", Reducer.MAX, List.of(r), List.of(), f32(1))))), List.of(), 1);
    Map<Buffer, double[]> storage = new HashMap<>(Map.of(x, new double[48], y, new double[48]));
    var e = assertThrows(IllegalStateException.class, () -> KernelInterpreter.runKernel(undeclared, storage, context));
    assertEquals("kernel k1_bad: reduction into m, which is not a declared scalar", e.getMessage());
  }

  @Test
  void badProgramsAreInternalErrorsNamingTheKernel() {
    Buffer x = buffer(0, "x", DType.F64, ARG, d(4));
    Buffer y = buffer(1, "y", DType.F64, OUT, d(4));
    Map<Buffer, double[]> storage = new HashMap<>(Map.of(x, new double[4], y, new double[4]));
    // out of bounds
    Kernel oob = kernel("k1_oob", KernelKind.ELEMENTWISE, List.of(x), List.of(y),
        pfor("i", idx(4), new KStmt.Store(y, i("i"), load(x, add(i("i"), idx(1))))));
    var e = assertThrows(IllegalStateException.class, () -> KernelInterpreter.runKernel(oob, storage, sizes()));
    assertEquals("kernel k1_oob: load from buffer x at index 4, outside [0, 4)", e.getMessage());
    // unbound variable
    Kernel unbound = kernel("k2_unbound", KernelKind.ELEMENTWISE, List.of(x), List.of(y),
        new KStmt.Store(y, idx(0), var("nope", DType.F64)));
    e = assertThrows(IllegalStateException.class, () -> KernelInterpreter.runKernel(unbound, storage, sizes()));
    assertTrue(e.getMessage().startsWith("kernel k2_unbound: variable nope"), e.getMessage());
    // a let goes out of scope with its statement list
    Kernel outOfScope = kernel("k3_scope", KernelKind.ELEMENTWISE, List.of(x), List.of(y),
        loop("j", idx(1), new KStmt.Let("t", f64(1))), new KStmt.Store(y, idx(0), var("t", DType.F64)));
    assertThrows(IllegalStateException.class, () -> KernelInterpreter.runKernel(outOfScope, storage, sizes()));
    // lets are immutable
    Kernel assignLet = kernel("k4_let", KernelKind.ELEMENTWISE, List.of(x), List.of(y),
        new KStmt.Let("t", f64(1)), new KStmt.Assign("t", f64(2)));
    e = assertThrows(IllegalStateException.class, () -> KernelInterpreter.runKernel(assignLet, storage, sizes()));
    assertTrue(e.getMessage().contains("let t"), e.getMessage());
    // stores into an unlisted buffer
    Kernel unlisted = kernel("k5_unlisted", KernelKind.ELEMENTWISE, List.of(x, y), List.of(), new KStmt.Store(y, idx(0), f64(1)));
    e = assertThrows(IllegalStateException.class, () -> KernelInterpreter.runKernel(unlisted, storage, sizes()));
    assertTrue(e.getMessage().contains("not in its writes"), e.getMessage());
    // a float index
    Kernel floatIndex = kernel("k6_index", KernelKind.ELEMENTWISE, List.of(x), List.of(y), new KStmt.Store(y, f64(0), f64(1)));
    e = assertThrows(IllegalStateException.class, () -> KernelInterpreter.runKernel(floatIndex, storage, sizes()));
    assertTrue(e.getMessage().contains("must be i32"), e.getMessage());
    // operands of two dtypes
    Kernel mixed = kernel("k7_mixed", KernelKind.ELEMENTWISE, List.of(x), List.of(y), new KStmt.Store(y, idx(0), add(f64(1), f32(2))));
    e = assertThrows(IllegalStateException.class, () -> KernelInterpreter.runKernel(mixed, storage, sizes()));
    assertEquals("kernel k7_mixed: add of f64 and f32: 1.0, 2.0", e.getMessage());
  }

  @Test
  void selectEvaluatesOnlyTheChosenOperand() {
    // A padded copy: y[i] = i < 4 ? x[i] : 0 for i in 0..6 — the guarded load never runs out of range.
    Buffer x = buffer(0, "x", DType.F64, ARG, d(4));
    Buffer y = buffer(1, "y", DType.F64, OUT, d(6));
    Kernel k = kernel("k0_pad", KernelKind.ELEMENTWISE, List.of(x), List.of(y),
        pfor("i", idx(6), new KStmt.Store(y, i("i"), new KExpr.Select(bin(Fn.LT, i("i"), idx(4)), load(x, i("i")), f64(0)))));
    assertArrayEquals(new double[] {1, 2, 3, 4, 0, 0}, run1(program(List.of(x), List.of(y), List.of(), k),
        Map.of("x", DArray.of(DType.F64, new int[] {4}, new double[] {1, 2, 3, 4})), sizes()));
  }

  @Test
  void programsPassTemporariesBetweenKernelsAndCheckInputs() {
    Dim n = d("N");
    Buffer x = buffer(0, "x", DType.F32, ARG, n);
    Buffer t = buffer(1, "t", DType.F32, TMP, n);
    Buffer total = buffer(2, "total", DType.F32, OUT);
    Buffer sq = buffer(3, "sq", DType.F32, OUT, n);
    Kernel k0 = kernel("k0_square", KernelKind.ELEMENTWISE, List.of(x), List.of(t, sq),
        pfor("i", size(n), new KStmt.Let("v", load(x, i("i"))),
            new KStmt.Store(t, i("i"), mul(var("v", DType.F32), var("v", DType.F32))),
            new KStmt.Store(sq, i("i"), var("v", DType.F32))));
    Kernel k1 = kernel("k1_sum", KernelKind.REDUCTION, List.of(t), List.of(total),
        pfor("i", size(n), new KStmt.Accumulate(total, idx(0), load(t, i("i")))));
    KernelProgram p = program(List.of(x), List.of(total, sq), List.of(t), k0, k1);
    EvalContext c = sizes("N", 3);
    Map<String, DArray> in = Map.of("x", DArray.of(DType.F32, new int[] {3}, new double[] {1, 2, 3}));
    Map<Buffer, DArray> all = KernelInterpreter.run(p, in, c);
    assertEquals(List.of(x, t, total, sq), List.copyOf(all.keySet()));
    assertArrayEquals(new double[] {1, 4, 9}, all.get(t).toArray());
    List<DArray> outs = KernelInterpreter.outputs(p, in, c);
    assertEquals(14, outs.get(0).get(0));
    assertEquals(0, outs.get(0).rank());
    assertArrayEquals(new double[] {1, 2, 3}, outs.get(1).toArray());

    var e = assertThrows(IllegalArgumentException.class, () -> KernelInterpreter.run(p, Map.of(), c));
    assertEquals("no value for 'x'", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> KernelInterpreter.run(p,
        Map.of("x", DArray.of(DType.F32, new int[] {4}, new double[4])), c));
    assertEquals("'x' must be f32[3] (f32[N]), got f32[4]", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> KernelInterpreter.run(p,
        Map.of("x", in.get("x"), "y", in.get("x")), c));
    assertTrue(e.getMessage().contains("no argument or param 'y'"), e.getMessage());
  }

  @Test
  void aLargeProductIsSummedInLoopOrder() {
    Dim m = d("M");
    Buffer a = buffer(0, "a", DType.F32, ARG, m, m);
    Buffer b = buffer(1, "b", DType.F32, ARG, m, m);
    Buffer c = buffer(2, "c", DType.F32, OUT, m, m);
    int size = 128; // 2.1e6 multiply-adds, each a handful of closure calls
    KernelProgram p = program(List.of(a, b), List.of(c), List.of(), matmul(a, b, c, m, m, m, DType.F32));
    Map<String, DArray> in = Map.of("a", DArray.of(DType.F32, new int[] {size, size}, random(size * size, 6)),
        "b", DArray.of(DType.F32, new int[] {size, size}, random(size * size, 7)));
    EvalContext context = sizes("M", size);
    // Its speed is a benchmark's business, not a test's (no timed assertions under a loaded CI machine).
    double[] out = KernelInterpreter.outputs(p, in, context).get(0).toArray();
    // spot-check one element against f32 arithmetic in the same order
    double[] as = in.get("a").toArray();
    double[] bs = in.get("b").toArray();
    float s = 0;
    for (int z = 0; z < size; z++) s = s + (float) as[5 * size + z] * (float) bs[z * size + 9];
    assertEquals(s, out[5 * size + 9], 0.0);
  }
}
