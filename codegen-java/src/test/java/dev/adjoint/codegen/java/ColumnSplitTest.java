package dev.adjoint.codegen.java;

import static dev.adjoint.codegen.java.HandWrittenPrograms.bin;
import static dev.adjoint.codegen.java.HandWrittenPrograms.buffer;
import static dev.adjoint.codegen.java.HandWrittenPrograms.c;
import static dev.adjoint.codegen.java.HandWrittenPrograms.load;
import static dev.adjoint.codegen.java.HandWrittenPrograms.v;
import static dev.adjoint.runtime.DType.F32;
import static dev.adjoint.runtime.DType.I32;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelKind;
import dev.adjoint.compiler.kernel.KernelInterpreter;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.runtime.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Column sums split across threads ({@code out[c] += ...} in a row nest, as a layer norm's
 * backward pass has them): where a row computes only lets before its columns, every thread
 * computes them and the thread whose range starts at 0 stores them; where a row runs a loop first
 * (a row statistic), the rows run once each in a phase of their own, split across threads, and the
 * column phase reads what it needs by row. Both give the interpreter's bits on any thread count.
 */
class ColumnSplitTest {
  private static final Dim N = Dim.symbol("N");
  private static final int WIDTH = 70;
  private static final Buffer X = buffer(0, "x", F32, Buffer.Role.ARGUMENT, Dim.of(2), N, Dim.of(WIDTH));
  private static final Buffer SCALED = buffer(1, "scaled", F32, Buffer.Role.OUTPUT, Dim.of(2), N);
  private static final Buffer SUMS = buffer(2, "sums", F32, Buffer.Role.OUTPUT, Dim.of(WIDTH));
  private static final Buffer MEANS = buffer(3, "means", F32, Buffer.Role.OUTPUT, Dim.of(2), N);
  private static final Buffer CENTRED = buffer(4, "centred", F32, Buffer.Role.OUTPUT, Dim.of(WIDTH));

  /** {@code (a * N + b) * WIDTH + c}. */
  private static KExpr at(String column) {
    return bin(Fn.ADD, bin(Fn.MUL, row(), c(WIDTH, I32)), v(column, I32));
  }

  private static KExpr row() {
    return bin(Fn.ADD, bin(Fn.MUL, v("a", I32), new KExpr.Size(N)), v("b", I32));
  }

  private static KStmt.Loop rows(KStmt... body) {
    return new KStmt.Loop("a", c(2, I32), true, List.of(new KStmt.Loop("b", new KExpr.Size(N), true, List.of(body))));
  }

  private static KStmt.Loop columns(KStmt... body) {
    return new KStmt.Loop("c", c(WIDTH, I32), true, List.of(body));
  }

  static KernelProgram program() {
    Kernel lets = new Kernel("k0", KernelKind.REDUCTION, List.of(X), List.of(SCALED, SUMS), List.of(rows(
        new KStmt.Let("s", bin(Fn.MUL, load(X, at("zero")), c(2, F32))),
        new KStmt.Store(SCALED, row(), v("s", F32)),
        columns(new KStmt.Accumulate(SUMS, v("c", I32), bin(Fn.MUL, load(X, at("c")), v("s", F32)))))),
        List.of(), 3);
    Kernel statistic = new Kernel("k1", KernelKind.REDUCTION, List.of(X), List.of(MEANS, CENTRED), List.of(rows(
        new KStmt.Declare("total", F32, c(0, F32)),
        new KStmt.Loop("r", c(WIDTH, I32), false, List.of(
            new KStmt.Assign("total", bin(Fn.ADD, v("total", F32), load(X, at("r")))))),
        new KStmt.Let("mean", bin(Fn.DIV, v("total", F32), c(WIDTH, F32))),
        new KStmt.Store(MEANS, row(), v("mean", F32)),
        columns(new KStmt.Accumulate(CENTRED, v("c", I32), bin(Fn.SUB, load(X, at("c")), v("mean", F32)))))),
        List.of(), 4);
    return new KernelProgram("column sums", List.of(X), List.of(), List.of(SCALED, SUMS, MEANS, CENTRED), List.of(),
        List.of(lets, statistic));
  }

  @ParameterizedTest(name = "{0} threads")
  @ValueSource(ints = {1, 2, 3})
  void bothShapesGiveTheInterpretersBits(int threads) {
    // "zero" reads column 0 of the row: bind it as a let of the kernel's own.
    KernelProgram program = withZero(program());
    var file = JavaGenerator.generate(program, "dev.adjoint.generated.test", "ColumnSums");
    String source = file.toString();
    assertTrue(source.contains("if (start == 0) {"), "lets only: the row's store by one thread\n" + source);
    assertTrue(source.contains("meanByRow[row] = mean;"), "a row statistic kept by row\n" + source);
    assertTrue(source.contains("// Each row's statements once, rows split across threads;"), source);
    JavaBackend.Prepared compiled = new JavaBackend.Prepared(program,
        InProcessCompiler.instantiate(InProcessCompiler.withoutCache(GeneratedEquivalenceTest.werror()).load(file)));
    Map<String, Long> sizes = Map.of("N", 5L);
    SplittableRandom random = new SplittableRandom(3);
    double[] data = new double[2 * 5 * WIDTH];
    for (int i = 0; i < data.length; i++) data[i] = random.nextDouble(-1, 1);
    DArray x = DArray.of(F32, new int[] {2, 5, WIDTH}, data);
    Map<String, DArray> values = new LinkedHashMap<>(Map.of(X.name(), x));
    Map<String, Tensor> tensors = Map.of(X.name(), Tensor.ofDoubles(F32, new int[] {2, 5, WIDTH}, x.toArray()));
    List<DArray> expected = KernelInterpreter.outputs(program, values, new EvalContext(sizes, 1, 0));
    List<Tensor> actual = compiled.run(tensors, sizes, 1, 0, threads);
    for (int i = 0; i < expected.size(); i++) {
      double[] want = expected.get(i).toArray();
      double[] got = actual.get(i).toDoubles();
      for (int e = 0; e < want.length; e++) {
        if (Double.compare(want[e], got[e]) != 0) {
          fail(program.outputs().get(i).name() + "[" + e + "] is " + got[e] + ", expected " + want[e]);
        }
      }
    }
  }

  /** The program with {@code let zero = 0} at the top of each row, so {@code at("zero")} is column 0. */
  private static KernelProgram withZero(KernelProgram p) {
    List<Kernel> kernels = p.kernels().stream().map(k -> {
      KStmt.Loop outer = (KStmt.Loop) k.body().getFirst();
      KStmt.Loop inner = (KStmt.Loop) outer.body().getFirst();
      List<KStmt> body = new java.util.ArrayList<>();
      body.add(new KStmt.Let("zero", c(0, I32)));
      body.addAll(inner.body());
      KStmt.Loop rows = new KStmt.Loop(outer.var(), outer.extent(), true,
          List.of(new KStmt.Loop(inner.var(), inner.extent(), true, body)));
      return new Kernel(k.name(), k.kind(), k.reads(), k.writes(), List.of(rows), k.origins(), k.fusedNodes());
    }).toList();
    return new KernelProgram(p.name(), p.arguments(), p.params(), p.outputs(), p.temporaries(), kernels);
  }
}
