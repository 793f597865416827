package dev.adjoint.codegen.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.JavaFile;
import dev.adjoint.codegen.java.GoldenPrograms.Lowered;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ir.Graph;
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
import dev.adjoint.runtime.DType;
import dev.adjoint.compiler.schedule.ProductShape;
import dev.adjoint.compiler.schedule.Scheduler;
import dev.adjoint.compiler.target.CpuTarget;
import dev.adjoint.compiler.pipeline.Gradient;
import dev.adjoint.compiler.pipeline.Pipeline;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.exec.Workspace;
import dev.adjoint.runtime.exec.WorkspacePool;
import dev.adjoint.runtime.exec.gemm.Ownership;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs of a prepared program reuse the arrays of earlier runs ({@link Workspace}), so generated
 * kernels must compute the same bits whatever those arrays hold: every program of the equivalence
 * suite (every kind of kernel the golden cases lower to — row and column-split kernels, blocked
 * products and their epilogues, scalar loops — in f64, f32, bf16 and training mode) runs once,
 * has its kept arrays filled with NaN, infinities and huge values, runs again on other inputs,
 * and must equal, bit for bit, a run of those inputs on fresh arrays.
 */
class WorkspaceReuseTest {
  static Stream<Lowered> programs() {
    return GeneratedEquivalenceTest.programs();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("programs")
  void aRunOnPoisonedReusedArraysEqualsARunOnFreshOnes(Lowered p) {
    JavaBackend.Prepared compiled = GeneratedEquivalenceTest.prepared(p);
    Map<String, Tensor> other = otherInputs(p.tensors(), new SplittableRandom(p.label().hashCode()));
    for (int threads : new int[] {1, 3}) {
      compiled.releaseWorkspaces();
      compiled.run(p.tensors(), p.sizes(), p.mode().seed(), p.mode().step(), threads);
      assertEquals(1, compiled.workspaces().idleCount(), "the run gave its workspace back");
      compiled.workspaces().poisonIdle();
      List<Tensor> reused = compiled.run(other, p.sizes(), p.mode().seed(), p.mode().step(), threads);
      compiled.releaseWorkspaces();
      List<Tensor> fresh = compiled.run(other, p.sizes(), p.mode().seed(), p.mode().step(), threads);
      assertEquals(fresh, reused, "on " + threads + " threads");
    }
  }

  /** Sums of a product: per column in its epilogue (as a bias gradient), per row in a kernel of their own. */
  private static final String SUMS = String.join("\n",
      "dim B",
      "fn rows(x: f32[B, 8], w: f32[8, 16]) -> f32[B] = sum(x @ w, axis=1)",
      "fn columns(x: f32[B, 8], w: f32[8, 16]) -> f32[16] = sum(x @ w, axis=0)",
      "");

  /**
   * The fast paths at sizes the golden programs do not reach (the small encoder's training step:
   * blocked products with row and column tails, blocks of attention rows, the last one ragged,
   * column sums split by column), product epilogues that add per row and per column, and the
   * hand-written program (f16, stores only some kernels read), on poisoned reused arrays.
   */
  @Test
  void blockedProductsWithRaggedTilesOnPoisonedArraysEqualRunsOnFreshOnes() {
    Compilation sums = Compilation.compileSource("sums.adj", SUMS);
    Compilation encoder = Compilation.compile(Path.of("../examples/src/main/adjoint/encoder_layer_small.adj"));
    Map<String, KernelProgram> programs = new LinkedHashMap<>();
    for (String entry : List.of("rows", "columns")) {
      Graph forward = sums.graph(entry, RunOptions.defaults(), Map.of()).graph();
      programs.put(entry, Pipeline.forward().kernels(forward));
      programs.put(entry + " gradient", Pipeline.gradient(Gradient.of(forward.arguments(), true)).kernels(forward));
    }
    programs.put("small encoder step",
        encoder.kernels("EncoderSmall.loss", RunOptions.defaults().withTraining(true).withSeed(3), true));
    programs.put("row sums", rowSums());
    programs.put("hand written", HandWrittenPrograms.program());
    List<JavaFile> sources = new ArrayList<>();
    for (String name : programs.keySet()) {
      sources.add(JavaGenerator.generate(programs.get(name), "dev.adjoint.generated.workspace",
          JavaNames.typeIdentifier(name, "Program")));
    }
    // The programs hold products whose epilogues add per row and per column, as scheduled.
    List<Ownership> ownerships = programs.values().stream()
        .flatMap(p -> Scheduler.schedule(p, CpuTarget.forJava()).stream())
        .flatMap(s -> s.product().stream()).map(ProductShape::ownership).toList();
    assertTrue(ownerships.contains(Ownership.ROWS), "an epilogue adding per row: " + ownerships);
    assertTrue(ownerships.contains(Ownership.COLUMNS), "an epilogue adding per column: " + ownerships);
    List<Class<?>> classes = InProcessCompiler.withoutCache(GeneratedEquivalenceTest.werror()).loadAll(sources);
    List<Map<String, Long>> rows = List.of(Map.of("B", 2L), Map.of("B", 37L));
    List<Map<String, Long>> handWritten = List.of(Map.of(HandWrittenPrograms.SIZE, 2L),
        Map.of(HandWrittenPrograms.SIZE, 9L));
    List<Map<String, Long>> rowsAndSteps = List.of(Map.of("B", 2L, "T", 5L), Map.of("B", 1L, "T", 67L));
    int i = 0;
    for (var p : programs.entrySet()) {
      JavaBackend.Prepared compiled = new JavaBackend.Prepared(p.getValue(), InProcessCompiler.instantiate(classes.get(i++)));
      List<Map<String, Long>> runs = switch (p.getKey()) {
        case "small encoder step" -> rowsAndSteps;
        case "hand written" -> handWritten;
        default -> rows;
      };
      for (Map<String, Long> sizes : runs) {
        Map<String, Tensor> first = randomInputs(p.getValue(), sizes, new SplittableRandom(1));
        Map<String, Tensor> second = randomInputs(p.getValue(), sizes, new SplittableRandom(2));
        for (int threads : new int[] {1, 3}) {
          compiled.run(first, sizes, 3, 1, threads);
          compiled.workspaces().poisonIdle();
          List<Tensor> reused = compiled.run(second, sizes, 3, 1, threads);
          compiled.releaseWorkspaces();
          assertEquals(compiled.run(second, sizes, 3, 1, threads), reused,
              p.getKey() + " at " + sizes + " on " + threads + " threads");
        }
      }
    }
  }

  /**
   * {@code out[i] += sum over j, k of x[i, k] * w[k, j]}: a product whose epilogue adds into one
   * location per row, which no lowering of today's programs prints (row sums get kernels of
   * their own), written as kernel IR.
   */
  private static KernelProgram rowSums() {
    Dim b = Dim.symbol("B");
    Buffer x = new Buffer(0, "x", new TensorType(DType.F32, Shape.of(b, Dim.of(8))), Buffer.Role.ARGUMENT);
    Buffer w = new Buffer(1, "w", new TensorType(DType.F32, Shape.of(Dim.of(8), Dim.of(16))), Buffer.Role.ARGUMENT);
    Buffer out = new Buffer(2, "out", new TensorType(DType.F32, Shape.of(b)), Buffer.Role.OUTPUT);
    KExpr i = new KExpr.Var("i", DType.I32);
    KExpr j = new KExpr.Var("j", DType.I32);
    KExpr k = new KExpr.Var("k", DType.I32);
    KExpr acc = new KExpr.Var("acc", DType.F32);
    // As lowering writes a product: a map over the outputs holding a contraction, its operands the loads.
    KStmt.Operand left = new KStmt.Operand(new KExpr.Load(x, KExpr.add(KExpr.mul(i, KExpr.Const.index(8)), k)),
        List.of(i, k), Optional.empty());
    KStmt.Operand right = new KStmt.Operand(new KExpr.Load(w, KExpr.add(KExpr.mul(k, KExpr.Const.index(16)), j)),
        List.of(k, j), Optional.empty());
    Kernel kernel = new Kernel("k0", KernelKind.CONTRACTION, List.of(x, w), List.of(out), List.of(
        new KStmt.ForAll(List.of(new Axis("i", new KExpr.Size(b)), new Axis("j", KExpr.Const.index(16))), List.of(
            new KStmt.Declare("acc", DType.F32, new KExpr.Const(0, DType.F32)),
            new KStmt.Contraction("acc", List.of(new Axis("k", KExpr.Const.index(8))), List.of(), left, right,
                List.of(new KStmt.Accumulate(out, i, acc)))))),
        List.of(), 2);
    return new KernelProgram("row sums", List.of(x, w), List.of(), List.of(out), List.of(), List.of(kernel));
  }

  /**
   * The reuse check above means something only if the programs hold every kind of kernel the
   * emitter prints: this names each, by the comment or call the emitter prints with it.
   */
  @Test
  void theProgramsHoldEveryKindOfKernel() {
    List<String> sources = new ArrayList<>();
    List<Lowered> all = programs().toList();
    for (int i = 0; i < all.size(); i++) sources.add(all.get(i).source(i).toString());
    Map<String, String> kinds = new LinkedHashMap<>();
    kinds.put("blocked product, epilogue only stores", "Tiles run on any thread: the epilogue only stores.");
    kinds.put("blocked product, epilogue adds per column", "Each column's rows run on one thread, in order");
    kinds.put("scalar contraction", "// Scalar loops, not a blocked matrix product");
    kinds.put("buffer zeroed and added into", "// Zeroed first: the kernel adds into");
    kinds.put("sums on one thread", "// One thread: iterations add into");
    kinds.put("column split", "// Threads split ");
    kinds.put("rows split across threads", "are independent: split them across the pool's threads.");
    kinds.put("row kernels", "RowKernels.");
    kinds.put("blocked dot products", "a block first computes every dot product its rows read");
    kinds.put("f64", "final double[] ");
    kinds.put("random draws", "Philox4x32.");
    List<String> missing = new ArrayList<>();
    kinds.forEach((kind, text) -> {
      if (sources.stream().noneMatch(s -> s.contains(text))) missing.add(kind);
    });
    assertEquals(List.of(), missing, "kinds of kernel no program holds");
  }

  /** The same inputs each scaled by a factor in [0.75, 1.25]: other values, of the same signs. */
  static Map<String, Tensor> otherInputs(Map<String, Tensor> inputs, SplittableRandom random) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    inputs.forEach((name, t) -> {
      if (!t.dtype().isFloating()) {
        out.put(name, t);
        return;
      }
      double[] values = t.toDoubles();
      for (int i = 0; i < values.length; i++) values[i] *= random.nextDouble(0.75, 1.25);
      out.put(name, Tensor.ofDoubles(t.dtype(), t.shapeArray(), values));
    });
    return out;
  }

  private static Lowered program(String label) {
    return programs().filter(x -> x.label().equals(label)).findFirst().orElseThrow();
  }

  /** Sizes that change reallocate the arrays; sizes that come back reuse the new ones. */
  @Test
  void runsAtOtherSizesGetArraysOfTheirSizes() {
    Lowered p = program("example_encoder_layer gradient declared");
    JavaBackend.Prepared compiled = GeneratedEquivalenceTest.prepared(p);
    compiled.releaseWorkspaces();
    List<Long> kept = new ArrayList<>();
    for (long t : new long[] {37, 5, 37}) {
      Map<String, Long> sizes = Map.of("B", 3L, "T", t);
      Map<String, Tensor> inputs = randomInputs(p, sizes, new SplittableRandom(t));
      List<Tensor> reused = compiled.run(inputs, sizes, 0, 0, 2);
      kept.add(compiled.workspaces().retainedBytes());
      compiled.releaseWorkspaces();
      assertEquals(compiled.run(inputs, sizes, 0, 0, 2), reused, "T = " + t);
      compiled.workspaces().poisonIdle();
    }
    assertTrue(kept.get(1) < kept.get(0), "smaller arrays at T = 5: " + kept);
    assertEquals(kept.get(0), kept.get(2), "arrays of the same sizes again at T = 37");
  }

  /** Runs under way at once on one prepared program each write their own arrays. */
  @Test
  void concurrentRunsOfOneProgramComputeWhatRunsOneAtATimeDo() throws Exception {
    Lowered p = program("example_encoder_layer gradient declared");
    JavaBackend.Prepared compiled = GeneratedEquivalenceTest.prepared(p);
    compiled.releaseWorkspaces();
    Map<String, Long> sizes = Map.of("B", 2L, "T", 16L);
    int callers = 4;
    List<Map<String, Tensor>> inputs = new ArrayList<>();
    List<List<Tensor>> expected = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      inputs.add(randomInputs(p, sizes, new SplittableRandom(100 + i)));
      expected.add(compiled.run(inputs.get(i), sizes, 0, 0, 1));
    }
    ExecutorService executor = Executors.newFixedThreadPool(callers);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        int caller = i;
        results.add(executor.submit(() -> {
          start.await();
          boolean same = true;
          for (int round = 0; round < 10; round++) {
            same &= compiled.run(inputs.get(caller), sizes, 0, 0, 1).equals(expected.get(caller));
          }
          return same;
        }));
      }
      start.countDown();
      for (int i = 0; i < callers; i++) assertTrue(results.get(i).get(60, TimeUnit.SECONDS), "caller " + i);
    } finally {
      executor.shutdownNow();
    }
    assertTrue(compiled.workspaces().idleCount() <= callers);
  }

  @Test
  void aRunTakesTheWorkspaceTheLastRunGaveBack() {
    Lowered p = program("nn_layer_norm forward declared");
    JavaBackend.Prepared compiled = GeneratedEquivalenceTest.prepared(p);
    compiled.releaseWorkspaces();
    compiled.run(p.tensors(), p.sizes(), 0, 0, 1);
    WorkspacePool pool = compiled.workspaces();
    Workspace kept = pool.take();
    pool.give(kept);
    compiled.run(p.tensors(), p.sizes(), 0, 0, 1);
    Workspace again = pool.take();
    assertSame(kept, again);
    pool.give(again);
    compiled.releaseWorkspaces();
    assertEquals(0, pool.idleCount());
    Workspace fresh = pool.take();
    assertNotSame(kept, fresh);
  }

  private static Map<String, Tensor> randomInputs(Lowered p, Map<String, Long> sizes, SplittableRandom random) {
    return randomInputs(p.program(), sizes, random);
  }

  private static Map<String, Tensor> randomInputs(KernelProgram program, Map<String, Long> sizes,
      SplittableRandom random) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    List<Buffer> inputs = new ArrayList<>(program.arguments());
    inputs.addAll(program.params());
    for (var b : inputs) {
      int[] shape = b.type().shape().evaluate(sizes);
      double[] data = new double[java.util.Arrays.stream(shape).reduce(1, (x, y) -> x * y)];
      for (int i = 0; i < data.length; i++) {
        data[i] = switch (b.type().dtype()) {
          case I32 -> random.nextInt(4);
          case BOOL -> random.nextBoolean() ? 1 : 0;
          default -> random.nextDouble(-1, 1);
        };
      }
      out.put(b.name(), Tensor.ofDoubles(b.type().dtype(), shape, data));
    }
    return out;
  }
}
