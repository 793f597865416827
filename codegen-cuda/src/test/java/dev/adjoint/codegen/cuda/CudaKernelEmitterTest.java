package dev.adjoint.codegen.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.ir.Shape;
import dev.adjoint.compiler.ir.TensorType;
import dev.adjoint.compiler.kernel.Axis;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelKind;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.kernel.Reducer;
import dev.adjoint.runtime.DType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hand-built kernels: their schedules, hostile names, and the errors of kernels the backend cannot run. */
class CudaKernelEmitterTest {
  @TempDir Path work;

  private static final Dim ROWS = Dim.symbol("R");
  /** More columns than the emulator's 64 threads per block: each thread strides over several. */
  private static final Dim COLS = Dim.of(150);

  private static Buffer buffer(int id, String name, Buffer.Role role, Dim... dims) {
    return new Buffer(id, name, new TensorType(DType.F32, Shape.of(dims)), role);
  }

  private static KExpr.Var v(String name) {
    return new KExpr.Var(name, DType.F32);
  }

  private static KExpr.Var i(String name) {
    return new KExpr.Var(name, DType.I32);
  }

  private static KExpr rowIndex(String row, String col) {
    return KExpr.add(KExpr.mul(i(row), KExpr.Const.index(150)), i(col));
  }

  /**
   * {@code out[r, c] = x[r, c] - max_c x[r, c] + sum_c x[r, c]}: two row reductions and a map over
   * the row, column sums; structured, as lowering produces kernels.
   */
  private static Kernel rowKernel(Buffer x, Buffer out, Buffer columnSums) {
    Axis j = new Axis("j", KExpr.size(COLS));
    List<KStmt> element = List.of(new KStmt.Let("a", new KExpr.Load(x, rowIndex("r", "j"))));
    List<KStmt> row = List.of(
        new KStmt.Declare("m", DType.F32, new KExpr.Const(Double.NEGATIVE_INFINITY, DType.F32)),
        new KStmt.Declare("s", DType.F32, new KExpr.Const(0, DType.F32)),
        new KStmt.Reduce("m", Reducer.MAX, List.of(j), element, v("a")),
        new KStmt.Reduce("s", Reducer.SUM, List.of(j), element, v("a")),
        new KStmt.ForAll(List.of(new Axis("c", KExpr.size(COLS))), List.of(
            new KStmt.Let("y", new KExpr.Binary(Fn.ADD, new KExpr.Binary(Fn.SUB, new KExpr.Load(x, rowIndex("r", "c")),
                v("m")), v("s"))),
            new KStmt.Store(out, rowIndex("r", "c"), v("y")),
            new KStmt.Accumulate(columnSums, i("c"), v("y")))));
    return new Kernel("k0_rows", KernelKind.REDUCTION, List.of(x), List.of(out, columnSums),
        List.of(new KStmt.ForAll(List.of(new Axis("r", KExpr.size(ROWS))), row)), List.of(), 5);
  }

  private static KernelProgram program(String x, String out, String sums) {
    Buffer bx = buffer(0, x, Buffer.Role.ARGUMENT, ROWS, COLS);
    Buffer bout = buffer(1, out, Buffer.Role.OUTPUT, ROWS, COLS);
    Buffer bsums = buffer(2, sums, Buffer.Role.OUTPUT, COLS);
    return new KernelProgram("rows", List.of(bx), List.of(), List.of(bout, bsums), List.of(),
        List.of(rowKernel(bx, bout, bsums)));
  }

  @Test
  void rowReductionsWithASharedLoopGetABlockPerRow() {
    CudaSource source = CudaGenerator.generate(program("x", "out", "sums"));
    assertEquals(CudaSchedule.Mapping.BLOCK_PER_ITERATION, source.kernels().get(0).mapping());
    String text = source.text();
    assertTrue(text.contains("m = adj_max(m, adj_block_reduce<AdjMaxF32>(adj_partial0));"), text);
    assertTrue(text.contains("s = s + adj_block_reduce<AdjSumF32>(adj_partial1);"), text);
    assertTrue(text.contains("for (int c = threadIdx.x; c < 150; c += blockDim.x) {"), text);
    assertTrue(text.contains("atomicAdd(&sums[c], y);"), text);
    assertEquals(List.of("sums"), source.kernels().get(0).zeroed().stream().map(Buffer::name).toList());
  }

  @Test
  void aLoopCarryingStateOtherThanAReductionRunsOneRowPerThread() {
    Buffer x = buffer(0, "x", Buffer.Role.ARGUMENT, ROWS, COLS);
    Buffer out = buffer(1, "out", Buffer.Role.OUTPUT, ROWS);
    // s = s * 0.5 + x: a running update, not an associative reduction.
    List<KStmt> row = List.of(new KStmt.Declare("s", DType.F32, new KExpr.Const(0, DType.F32)),
        new KStmt.Loop("j", KExpr.size(COLS), false, List.of(new KStmt.Assign("s", new KExpr.Binary(Fn.ADD,
            new KExpr.Binary(Fn.MUL, v("s"), new KExpr.Const(0.5, DType.F32)), new KExpr.Load(x, rowIndex("r", "j")))))),
        new KStmt.Store(out, i("r"), v("s")));
    Kernel k = new Kernel("k0_scan", KernelKind.REDUCTION, List.of(x), List.of(out),
        List.of(new KStmt.Loop("r", KExpr.size(ROWS), true, row)), List.of(), 3);
    CudaSource source = CudaGenerator.generate(new KernelProgram("scan", List.of(x), List.of(), List.of(out), List.of(),
        List.of(k)));
    assertEquals(CudaSchedule.Mapping.THREAD_PER_ITERATION, source.kernels().get(0).mapping());
    assertTrue(source.text().contains("s = s * 0.5f + x[r * 150 + j];"), source.text());
  }

  @Test
  void hostileNamesBecomePlainIdentifiers() {
    KernelProgram p = program("x */ #include <stdlib.h> //", "threadIdx", "adj_seed\n#define float double");
    String text = CudaGenerator.generate(p).text();
    String kernels = text.substring(text.indexOf("// ---- end of prelude"));
    assertFalse(kernels.contains("#"), kernels);
    assertFalse(kernels.contains("*/"), kernels);
    assertTrue(kernels.contains("const float* __restrict__ x_____include__stdlib_h____,"), kernels);
    assertTrue(kernels.contains("float* __restrict__ b_threadIdx"), kernels);
    assertTrue(kernels.contains("float* __restrict__ b_adj_seed__define_float_double"), kernels);
  }

  @Test
  void aProgramWithHostileNamesRunsInTheEmulatorAsTheInterpreterRunsIt() {
    assumeTrue(CudaEmulator.gxxAvailable(), "g++ is not on the PATH: the CUDA emulation harness needs it");
    KernelProgram p = program("x */ #include <stdlib.h> //", "threadIdx", "adj_seed\n#define float double");
    double[] values = new double[5 * 150];
    java.util.SplittableRandom random = new java.util.SplittableRandom(6);
    for (int k = 0; k < values.length; k++) values[k] = random.nextDouble(-2, 2);
    CudaCases.Case c = new CudaCases.Case("hostile", p, Map.of(p.arguments().get(0).name(),
        DArray.of(DType.F32, new int[] {5, 150}, values)), Map.of("R", 5L), 0, 0);
    CudaSource source = CudaGenerator.generate(p);
    List<DArray> actual = CudaEmulator.run(CudaEmulator.compile(source), source, c, work);
    List<DArray> expected = c.interpret();
    for (int k = 0; k < expected.size(); k++) {
      assertEquals(java.util.Optional.empty(), CudaEmulationTest.compare(expected.get(k), actual.get(k), 1e-5));
    }
  }

  /** {@code c[b, i, j] = sum_r a[b, i, r] * w[r, j] + 1}, at sizes that leave partial tiles on every edge. */
  private static KernelProgram batchedMatmul() {
    Dim batch = Dim.symbol("B");
    Dim m = Dim.symbol("M");
    Dim k = Dim.symbol("K");
    Dim n = Dim.symbol("N");
    Buffer a = buffer(0, "a", Buffer.Role.ARGUMENT, batch, m, k);
    Buffer w = buffer(1, "w", Buffer.Role.PARAM, k, n);
    Buffer c = buffer(2, "c", Buffer.Role.OUTPUT, batch, m, n);
    KExpr aIndex = KExpr.add(KExpr.mul(KExpr.add(KExpr.mul(i("b"), KExpr.size(m)), i("i")), KExpr.size(k)), i("r"));
    KExpr wIndex = KExpr.add(KExpr.mul(i("r"), KExpr.size(n)), i("j"));
    KExpr cIndex = KExpr.add(KExpr.mul(KExpr.add(KExpr.mul(i("b"), KExpr.size(m)), i("i")), KExpr.size(n)), i("j"));
    // Written w * a: the tile finds the row operand on either side.
    KStmt.Contraction product = new KStmt.Contraction("acc", List.of(new Axis("r", KExpr.size(k))),
        List.of(new KStmt.Let("x", new KExpr.Load(a, aIndex)), new KStmt.Let("y", new KExpr.Load(w, wIndex))),
        new KStmt.Operand(v("y"), List.of(i("r"), i("j")), Optional.empty()),
        new KStmt.Operand(v("x"), List.of(i("b"), i("i"), i("r")), Optional.empty()),
        List.of(new KStmt.Store(c, cIndex, new KExpr.Binary(Fn.ADD, v("acc"), new KExpr.Const(1, DType.F32)))));
    List<KStmt> body = List.of(new KStmt.Declare("acc", DType.F32, new KExpr.Const(0, DType.F32)), product);
    KStmt nest = new KStmt.ForAll(List.of(new Axis("b", KExpr.size(batch)), new Axis("i", KExpr.size(m)),
        new Axis("j", KExpr.size(n))), body);
    Kernel kernel = new Kernel("k0_matmul", KernelKind.CONTRACTION, List.of(a, w), List.of(c), List.of(nest), List.of(), 2);
    return new KernelProgram("matmul", List.of(a), List.of(w), List.of(c), List.of(), List.of(kernel));
  }

  @Test
  void aContractionRunsInSharedMemoryTilesAsTheInterpreterRunsIt() {
    KernelProgram p = batchedMatmul();
    CudaSource source = CudaGenerator.generate(p);
    assertEquals(CudaSchedule.Mapping.TILED_CONTRACTION, source.kernels().get(0).mapping());
    assertTrue(source.text().contains("acc = acc + adj_tile_b[adj_k][adj_tx] * adj_tile_a[adj_ty][adj_k];"),
        source.text());
    assumeTrue(CudaEmulator.gxxAvailable(), "g++ is not on the PATH: the CUDA emulation harness needs it");
    Map<String, Long> sizes = Map.of("B", 2L, "M", 20L, "K", 37L, "N", 19L);
    java.util.SplittableRandom random = new java.util.SplittableRandom(11);
    double[] a = new double[2 * 20 * 37];
    double[] w = new double[37 * 19];
    for (int k = 0; k < a.length; k++) a[k] = random.nextDouble(-1, 1);
    for (int k = 0; k < w.length; k++) w[k] = random.nextDouble(-1, 1);
    CudaCases.Case c = new CudaCases.Case("matmul", p, Map.of("a", DArray.of(DType.F32, new int[] {2, 20, 37}, a),
        "w", DArray.of(DType.F32, new int[] {37, 19}, w)), sizes, 0, 0);
    List<DArray> actual = CudaEmulator.run(CudaEmulator.compile(source), source, c, work);
    // The products are added in the interpreter's order: the same bits.
    DArray expected = c.interpret().get(0);
    for (int k = 0; k < expected.size(); k++) assertEquals(expected.get(k), actual.get(0).get(k), "element " + k);
  }

  @Test
  void aLocalArrayOfRunTimeLengthIsRefusedWithTheReason() {
    Buffer out = buffer(0, "out", Buffer.Role.OUTPUT, ROWS);
    Kernel k = new Kernel("k0_array", KernelKind.REDUCTION, List.of(), List.of(out), List.of(new KStmt.Loop("r", KExpr.size(ROWS),
        true, List.of(new KStmt.DeclareArray("acc", DType.F32, KExpr.size(ROWS), new KExpr.Const(0, DType.F32)),
            new KStmt.Store(out, i("r"), new KExpr.Element("acc", i("r"), DType.F32))))), List.of(), 1);
    KernelProgram p = new KernelProgram("array", List.of(), List.of(), List.of(out), List.of(), List.of(k));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CudaGenerator.generate(p));
    assertEquals("kernel k0_array: local array acc has the run-time length R; the CUDA backend keeps local arrays in "
        + "registers and needs a constant length", e.getMessage());
  }
}
