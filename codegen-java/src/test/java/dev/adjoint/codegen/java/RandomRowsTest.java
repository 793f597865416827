package dev.adjoint.codegen.java;

import static dev.adjoint.codegen.java.HandWrittenPrograms.bin;
import static dev.adjoint.codegen.java.HandWrittenPrograms.buffer;
import static dev.adjoint.codegen.java.HandWrittenPrograms.c;
import static dev.adjoint.codegen.java.HandWrittenPrograms.load;
import static dev.adjoint.codegen.java.HandWrittenPrograms.v;
import static dev.adjoint.runtime.DType.BF16;
import static dev.adjoint.runtime.DType.F32;
import static dev.adjoint.runtime.DType.I32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.kernel.Axis;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelKind;
import dev.adjoint.compiler.kernel.KernelInterpreter;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.schedule.Routine;
import dev.adjoint.compiler.schedule.Scheduler;
import dev.adjoint.compiler.target.CpuTarget;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random draws along a loop, drawn a row per {@code Philox4x32.uniforms} call ({@link RandomRows}):
 * in a parallel nest's inner loop, in sibling loops that share a row, in a loop split by column
 * across threads (ragged column ranges), in a loop run on the calling thread, and in a blocked
 * product's epilogue (rows of 7 columns, so rows start inside Philox blocks). Draws that are not
 * runs (stride 2, a base read from memory or from a mutable local) stay one number per call. Every
 * stored number is the kernel interpreter's, bit for bit, on any number of threads.
 */
class RandomRowsTest {
  private static final Dim N = Dim.symbol("N");

  private static final Buffer X = buffer(0, "x", F32, Buffer.Role.ARGUMENT, N, Dim.of(7));
  private static final Buffer P = buffer(1, "p", I32, Buffer.Role.ARGUMENT, N);
  private static final Buffer A = buffer(2, "a", F32, Buffer.Role.ARGUMENT, N, Dim.of(3));
  /** Columns of the product: more than a column block of the blocked product, and odd. */
  private static final int PRODUCT_COLUMNS = 16 * 8 * 2 + 7;
  private static final Buffer B = buffer(3, "b", F32, Buffer.Role.PARAM, Dim.of(3), Dim.of(PRODUCT_COLUMNS));
  private static final Buffer U = buffer(10, "u", F32, Buffer.Role.OUTPUT, N, Dim.of(7));
  private static final Buffer H = buffer(11, "h", BF16, Buffer.Role.OUTPUT, N, Dim.of(7));
  private static final Buffer Y = buffer(12, "y", F32, Buffer.Role.OUTPUT, N, Dim.of(7));
  private static final Buffer STRIDED = buffer(13, "strided", F32, Buffer.Role.OUTPUT, N, Dim.of(7));
  private static final Buffer LOADED = buffer(14, "loaded", F32, Buffer.Role.OUTPUT, N, Dim.of(7));
  private static final Buffer FIRST = buffer(15, "first", F32, Buffer.Role.OUTPUT, N, Dim.of(7));
  private static final Buffer SECOND = buffer(16, "second", F32, Buffer.Role.OUTPUT, N, Dim.of(7));
  private static final Buffer MUTABLE = buffer(17, "mutable", F32, Buffer.Role.OUTPUT, N, Dim.of(7));
  private static final Buffer SHADOWED = buffer(23, "shadowed", F32, Buffer.Role.OUTPUT, N, Dim.of(9));
  private static final Buffer WIDE = buffer(18, "wide", F32, Buffer.Role.OUTPUT, N, Dim.of(70));
  private static final Buffer COLUMN_SUMS = buffer(19, "columnSums", F32, Buffer.Role.OUTPUT, Dim.of(70));
  private static final Buffer TOTAL = buffer(20, "total", F32, Buffer.Role.OUTPUT, Dim.of(1));
  private static final Buffer PRODUCT = buffer(21, "product", F32, Buffer.Role.OUTPUT, N, Dim.of(PRODUCT_COLUMNS));
  private static final Buffer PRODUCT_MASK = buffer(22, "productMask", F32, Buffer.Role.OUTPUT, N,
      Dim.of(PRODUCT_COLUMNS));

  private static final KExpr I = v("i", I32);

  private static KExpr random(int site, KExpr index, DType dtype) {
    return new KExpr.Random(site, index, dtype);
  }

  /** {@code i * width + column}: a run along {@code column}. */
  private static KExpr at(int width, String column) {
    return bin(Fn.ADD, bin(Fn.MUL, I, c(width, I32)), v(column, I32));
  }

  private static KStmt.Loop loop(String var, int extent, boolean parallel, KStmt... body) {
    return new KStmt.Loop(var, c(extent, I32), parallel, List.of(body));
  }

  private static KStmt.Loop rows(KStmt... body) {
    return new KStmt.Loop("i", new KExpr.Size(N), true, List.of(body));
  }

  static KernelProgram program() {
    // A parallel nest: threads split the rows, each row's inner loop draws its run.
    Kernel nest = new Kernel("k0", KernelKind.ELEMENTWISE, List.of(X, P), List.of(U, H, Y, STRIDED, LOADED), List.of(
        rows(loop("j", 7, true,
            new KStmt.Let("u", random(0x11, at(7, "j"), F32)),
            new KStmt.Store(U, at(7, "j"), v("u", F32)),
            // The loop variable first, the base second: still a run.
            new KStmt.Store(H, at(7, "j"), random(0x22, bin(Fn.ADD, v("j", I32), bin(Fn.MUL, I, c(7, I32))), BF16)),
            new KStmt.Store(Y, at(7, "j"), new KExpr.Select(bin(Fn.GE, v("u", F32), c(0.5, F32)),
                load(X, at(7, "j")), c(0, F32))),
            new KStmt.Store(STRIDED, at(7, "j"), random(0x55, bin(Fn.ADD, bin(Fn.MUL, I, c(14, I32)),
                bin(Fn.MUL, v("j", I32), c(2, I32))), F32)),
            new KStmt.Store(LOADED, at(7, "j"), random(0x88, bin(Fn.ADD, load(P, I), v("j", I32)), F32))))),
        List.of(), 5);
    // Two loops along the same row share one draw; a base held in a mutable local is not a run; nor
    // is a draw along a loop variable that an inner loop binds again (over a range the outer one's
    // row would not cover).
    Kernel siblings = new Kernel("k1", KernelKind.ELEMENTWISE, List.of(), List.of(FIRST, SECOND, MUTABLE, SHADOWED), List.of(
        rows(
            loop("a", 7, false, new KStmt.Store(FIRST, at(7, "a"), random(0x33, at(7, "a"), F32))),
            loop("b", 7, false, new KStmt.Store(SECOND, at(7, "b"), random(0x33, at(7, "b"), F32))),
            new KStmt.Declare("offset", I32, bin(Fn.MUL, I, c(7, I32))),
            loop("d", 7, false, new KStmt.Store(MUTABLE, at(7, "d"),
                random(0x99, bin(Fn.ADD, v("offset", I32), v("d", I32)), F32))),
            new KStmt.Let("nine", c(9, I32)),
            loop("s", 7, false, new KStmt.Loop("s", v("nine", I32), false, List.of(
                new KStmt.Store(SHADOWED, at(9, "s"), random(0xAA, at(9, "s"), F32))))))),
        List.of(), 3);
    // Column sums: threads split the 70 columns (ragged ranges on 3 threads), each runs every row.
    Kernel columns = new Kernel("k2", KernelKind.REDUCTION, List.of(), List.of(WIDE, COLUMN_SUMS), List.of(
        rows(loop("c", 70, true,
            new KStmt.Let("w", random(0x44, at(70, "c"), F32)),
            new KStmt.Store(WIDE, at(70, "c"), v("w", F32)),
            new KStmt.Accumulate(COLUMN_SUMS, v("c", I32), v("w", F32))))),
        List.of(), 3);
    // A total over every element: one thread, the loops in the method's own code.
    Kernel total = new Kernel("k3", KernelKind.REDUCTION, List.of(), List.of(TOTAL), List.of(
        rows(loop("e", 7, true, new KStmt.Accumulate(TOTAL, c(0, I32), random(0x66, at(7, "e"), F32))))),
        List.of(), 2);
    // A blocked product whose epilogue drops out: rows of an odd number of columns, in several
    // column blocks, start inside Philox blocks.
    int w = PRODUCT_COLUMNS;
    // Written as lowering writes a product (a map over the outputs holding a contraction), which is
    // what the schedule reads a product from.
    Kernel product = new Kernel("k4", KernelKind.CONTRACTION, List.of(A, B), List.of(PRODUCT, PRODUCT_MASK), List.of(
        new KStmt.ForAll(List.of(new Axis("i", new KExpr.Size(N)), new Axis("j", c(w, I32))), List.of(
            new KStmt.Declare("acc", F32, c(0, F32)),
            new KStmt.Contraction("acc", List.of(new Axis("r", c(3, I32))), List.of(
                    new KStmt.Let("left", load(A, bin(Fn.ADD, bin(Fn.MUL, I, c(3, I32)), v("r", I32)))),
                    new KStmt.Let("right", load(B, bin(Fn.ADD, bin(Fn.MUL, v("r", I32), c(w, I32)), v("j", I32))))),
                new KStmt.Operand(v("left", F32), List.of(I, v("r", I32)), Optional.empty()),
                new KStmt.Operand(v("right", F32), List.of(v("r", I32), v("j", I32)), Optional.empty()), List.of(
                    new KStmt.Let("keep", random(0x77, at(w, "j"), F32)),
                    new KStmt.Store(PRODUCT_MASK, at(w, "j"), v("keep", F32)),
                    new KStmt.Store(PRODUCT, at(w, "j"), new KExpr.Select(bin(Fn.GE, v("keep", F32), c(0.3, F32)),
                        v("acc", F32), c(0, F32)))))))),
        List.of(), 4);
    return new KernelProgram("random rows", List.of(X, P, A), List.of(B),
        List.of(U, H, Y, STRIDED, LOADED, FIRST, SECOND, MUTABLE, SHADOWED, WIDE, COLUMN_SUMS, TOTAL, PRODUCT,
            PRODUCT_MASK),
        List.of(), List.of(nest, siblings, columns, total, product));
  }

  private static String source;
  private static JavaBackend.Prepared compiled;

  @BeforeAll
  static void compile() {
    var file = JavaGenerator.generate(program(), "dev.adjoint.generated.test", "RandomRows");
    source = file.toString();
    compiled = new JavaBackend.Prepared(program(),
        InProcessCompiler.instantiate(InProcessCompiler.withoutCache(GeneratedEquivalenceTest.werror()).load(file)));
  }

  private static int count(String regex) {
    Matcher m = Pattern.compile(regex).matcher(source);
    int n = 0;
    while (m.find()) n++;
    return n;
  }

  @Test
  void runsAreDrawnARowPerCallAndEverythingElseANumberPerCall() {
    for (String site : List.of("0x11", "0x22", "0x33", "0x44", "0x66", "0x77")) {
      assertEquals(1, count("Philox4x32\\.uniforms\\(seed, step, " + site + ", "), site + " in\n" + source);
      assertEquals(0, count("Philox4x32\\.uniform\\(seed, step, " + site + ", "), site + " in\n" + source);
    }
    for (String site : List.of("0x55", "0x88", "0x99", "0xaa")) {
      assertEquals(0, count("Philox4x32\\.uniforms\\(seed, step, " + site + ", "), site + " in\n" + source);
      assertEquals(1, count("Philox4x32\\.uniform\\(seed, step, " + site + ", "), site + " in\n" + source);
    }
  }

  @Test
  void rowsAreDeclaredOncePerLambdaAndReadAtTheLoopsOwnIndex() {
    assertTrue(source.contains("""
            context.parallelFor(N, (start, end) -> {
              // Scratch for random numbers drawn a row at a time: one Philox block gives four consecutive numbers.
              final float[] uniforms = new float[7];
              final float[] uniforms_2 = new float[7];
              for (int i = start; i < end; i++) {
                Philox4x32.uniforms(seed, step, 0x11, i * 7, uniforms, 0, 7);
                Philox4x32.uniforms(seed, step, 0x22, i * 7, uniforms_2, 0, 7);
                for (int j = 0; j < 7; j++) {
                  final float u_2 = uniforms[j];
        """), source);
    assertTrue(source.contains("KernelMath.bf16(uniforms_2[j])"), source);
    // Threads split the columns: each draws its own range of every row.
    assertTrue(source.contains("final float[] uniforms = new float[end - start];"), source);
    assertTrue(source.contains("Philox4x32.uniforms(seed, step, 0x44, i * 70 + start, uniforms, 0, end - start);"), source);
    assertTrue(source.contains("uniforms[c - start]"), source);
    // The product's epilogue: a row of a tile at a time (its schedule runs it on the GEMM).
    assertEquals(Routine.GEMM, Scheduler.schedule(program().kernels().get(4), CpuTarget.forJava()).routine());
    assertTrue(source.contains("final float[] uniforms = new float[n1 - n0];"), source);
    assertTrue(source.contains("Philox4x32.uniforms(seed, step, 0x77, i * " + PRODUCT_COLUMNS + " + n0, uniforms, 0, n1 - n0);"), source);
    // Its epilogue runs on whole rows: the drawn row is an operand from its start.
    assertTrue(source.contains("RowMaps.copy(productMask, i * " + PRODUCT_COLUMNS + " + n0, uniforms, 0, n1 - n0);"),
        source);
    assertTrue(source.contains("RowMaps.select(rowValues, 0, RowMaps.Compare.GREATER_OR_EQUAL, uniforms, 0, 0.3f,"),
        source);
  }

  static Stream<Integer> threads() {
    return IntStream.of(1, 2, 3).boxed();
  }

  @ParameterizedTest(name = "{0} threads")
  @MethodSource("threads")
  void everyNumberIsTheInterpretersBitForBit(int threads) {
    SplittableRandom random = new SplittableRandom(11);
    Map<String, Long> sizes = Map.of("N", 9L);
    Map<String, DArray> values = new LinkedHashMap<>();
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (Buffer b : List.of(X, P, A, B)) {
      int[] shape = b.type().shape().evaluate(sizes);
      double[] data = new double[Arrays.stream(shape).reduce(1, (x, y) -> x * y)];
      for (int i = 0; i < data.length; i++) {
        data[i] = b.type().dtype() == I32 ? random.nextInt(1, 1 << 20) : random.nextDouble(-1, 1);
      }
      DArray value = DArray.of(b.type().dtype(), shape, data);
      values.put(b.name(), value);
      tensors.put(b.name(), Tensor.ofDoubles(b.type().dtype(), shape, value.toArray()));
    }
    KernelProgram program = program();
    List<DArray> expected = KernelInterpreter.outputs(program, values, new EvalContext(sizes, 0x5EEDL << 33, 12));
    List<Tensor> actual = compiled.run(tensors, sizes, 0x5EEDL << 33, 12, threads);
    for (int i = 0; i < expected.size(); i++) {
      Buffer output = program.outputs().get(i);
      if (output == PRODUCT) {
        // The product's sums may fuse multiplies and adds; what it keeps is the mask's.
        int o = i;
        GoldenPrograms.compare(expected.get(i), actual.get(i), 1e-5)
            .ifPresent(problem -> fail("output " + o + " (" + output.name() + "): " + problem));
      } else {
        double[] want = expected.get(i).toArray();
        double[] got = actual.get(i).toDoubles();
        for (int e = 0; e < want.length; e++) {
          if (Double.compare(want[e], got[e]) != 0) fail(output.name() + "[" + e + "] is " + got[e] + ", expected " + want[e]);
        }
      }
    }
  }
}
