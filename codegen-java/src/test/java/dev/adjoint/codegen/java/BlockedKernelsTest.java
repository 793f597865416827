package dev.adjoint.codegen.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.palantir.javapoet.JavaFile;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KStmt;
import dev.adjoint.compiler.kernel.Kernel;
import dev.adjoint.compiler.kernel.KernelKind;
import dev.adjoint.compiler.kernel.KernelInterpreter;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.pipeline.Gradient;
import dev.adjoint.compiler.pipeline.Pipeline;
import dev.adjoint.compiler.schedule.ContractionPattern;
import dev.adjoint.compiler.schedule.ProductShape;
import dev.adjoint.compiler.schedule.Routine;
import dev.adjoint.compiler.schedule.Schedule;
import dev.adjoint.compiler.schedule.Scheduler;
import dev.adjoint.compiler.target.CpuTarget;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.exec.gemm.Ownership;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fast paths at sizes the golden programs do not reach: the small encoder layer (D = 128, four
 * heads of 32) as a training step, where every contraction is a blocked product with row and
 * column tails, attention's dot products are computed for blocks of query rows at once (one block
 * at T = 5, two, the second ragged, at T = 67), the softmax gradient's per-key values are computed
 * as whole-row operations (all in the scalar tail at T = 5, vectors and a tail at T = 67), and the
 * layer norms' column sums are split by column. Outputs and gradients match the kernel interpreter within the f32 tolerance (1e-5
 * relative), and do not depend on the thread count.
 */
class BlockedKernelsTest {
  private static final Path SMALL_ENCODER = Path.of("../examples/src/main/adjoint/encoder_layer_small.adj");

  private static KernelProgram trainingStep() {
    Compilation c = Compilation.compile(SMALL_ENCODER);
    return c.kernels("EncoderSmall.loss", RunOptions.defaults().withTraining(true).withSeed(3), true);
  }

  static List<Map<String, Long>> sizes() {
    return List.of(Map.of("B", 2L, "T", 5L), Map.of("B", 1L, "T", 67L));
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("sizes")
  void theSmallEncodersTrainingStepMatchesTheInterpreterOnAnyThreads(Map<String, Long> sizes) {
    KernelProgram program = trainingStep();
    JavaFile file = JavaGenerator.generate(program, "dev.adjoint.generated.test", "SmallEncoderStep");
    String source = file.toString();
    // The schedule: every contraction a product on the GEMM, the first one unbatched over rows (b, t),
    // another summing a bias gradient in its epilogue.
    List<Schedule> schedules = Scheduler.schedule(program, CpuTarget.forJava());
    List<ProductShape> products = new ArrayList<>();
    for (int k = 0; k < program.kernels().size(); k++) {
      if (program.kernels().get(k).kind() != KernelKind.CONTRACTION) continue;
      Schedule s = schedules.get(k);
      assertEquals(Routine.GEMM, s.routine(), s.kernel() + ": " + s.steps());
      products.add(s.product().orElseThrow());
    }
    ProductShape first = products.getFirst();
    assertEquals(List.of("1", "B * T", "128", Ownership.ANY),
        List.of(first.batches(), first.rows(), first.columns(), first.ownership()), first.toString());
    assertTrue(products.stream().anyMatch(p -> p.ownership() == Ownership.COLUMNS), products.toString());
    assertTrue(source.contains("RowKernels.dotProducts(products"), "attention's dot products, a block of rows at once");
    assertTrue(source.contains("RowKernels.scaleAddWeightedRows(acc"), "the online softmax's weighted value rows");
    assertTrue(source.contains("RowKernels.addWeightedRows(acc"), "the gradient's weighted rows");
    assertTrue(source.contains("RowKernels.copyRows(valueRows, "), "the block's value rows copied together");
    assertTrue(source.contains("Rows(acc0, weights, valueRows, 0, 32, T, 32);"), "and read from the copy");
    // The softmax gradient's per-key weights and sums, as whole-row operations.
    assertTrue(source.contains("RowMaps.exp(row, 0, row, 0, T);"), "probabilities of every key at once");
    assertTrue(source.contains(" = RowMaps.sum(acc"), "a sum over keys from a row of terms");
    assertTrue(source.contains("sum4 = RowKernels.onlineSoftmax(row, 0, T, max3, sum4, scales, weights);"),
        "the online softmax's keys at once");
    // Dropout and ReLU masks in the products' epilogues: selects without a branch.
    assertTrue(source.contains("= KernelMath.select(v"), "a mask select without a branch");
    // The layer norms' backward passes: the column sums of gamma's and beta's gradients split by column.
    assertTrue(source.contains("// Threads split i2, the index "), source);
    assertTrue(source.contains("// Each row's statements once, rows split across threads;"),
        "row statistics computed once per row, rows split across threads");

    SplittableRandom random = new SplittableRandom(7);
    Map<String, DArray> values = new LinkedHashMap<>();
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    List<Buffer> inputs = new ArrayList<>(program.arguments());
    inputs.addAll(program.params());
    for (Buffer b : inputs) {
      int[] shape = b.type().shape().evaluate(sizes);
      double[] data = new double[Arrays.stream(shape).reduce(1, (x, y) -> x * y)];
      for (int i = 0; i < data.length; i++) data[i] = random.nextDouble(-1, 1);
      DArray value = DArray.of(b.type().dtype(), shape, data);
      values.put(b.name(), value);
      tensors.put(b.name(), Tensor.ofDoubles(b.type().dtype(), shape, value.toArray()));
    }
    JavaBackend.Prepared compiled = new JavaBackend.Prepared(program,
        InProcessCompiler.instantiate(InProcessCompiler.withoutCache(GeneratedEquivalenceTest.werror()).load(file)));
    List<Tensor> one = compiled.run(tensors, sizes, 3, 1, 1);
    assertEquals(one, compiled.run(tensors, sizes, 3, 1, 3), "three threads");
    List<DArray> expected = KernelInterpreter.outputs(program, values, new EvalContext(sizes, 3, 1));
    assertEquals(expected.size(), one.size());
    for (int i = 0; i < expected.size(); i++) {
      int output = i;
      GoldenPrograms.compare(expected.get(i), one.get(i), 1e-5)
          .ifPresent(problem -> fail("output " + output + " (" + program.outputs().get(output).name() + "): " + problem));
    }
  }

  @Test
  void everyContractionOfTheStepIsAProductWithTheOwnershipItsEpilogueNeeds() {
    List<Ownership> ownerships = new ArrayList<>();
    for (Kernel k : trainingStep().kernels()) {
      ContractionPattern.Recognition r = ContractionPattern.recognise(k);
      if (k.kind() != KernelKind.CONTRACTION) continue;
      ContractionPattern p = assertInstanceOf(ContractionPattern.Product.class, r, k.name()).pattern();
      assertFalse(p.rows().isEmpty());
      assertEquals(1, p.columns().size(), k.name());
      ownerships.add(p.ownership());
    }
    assertTrue(ownerships.contains(Ownership.ANY), ownerships.toString());
    assertTrue(ownerships.contains(Ownership.COLUMNS), ownerships.toString());
    assertFalse(ownerships.contains(Ownership.ONE_THREAD), ownerships.toString());
  }

  @Test
  void kernelsThatAreNotProductsSayWhy() {
    KernelProgram f64 = trainingStepAt(DType.F64);
    Kernel contraction = f64.kernels().stream().filter(k -> k.kind() == KernelKind.CONTRACTION).findFirst().orElseThrow();
    assertEquals(new ContractionPattern.NotAProduct("its accumulator is f64, not f32"),
        ContractionPattern.recognise(contraction));
    Schedule loops = Scheduler.schedule(contraction, CpuTarget.forJava());
    assertEquals(Routine.LOOPS, loops.routine());
    assertEquals("routine.loops: not a product: its accumulator is f64, not f32", loops.steps().getFirst().toString());
    List<Kernel> step = trainingStep().kernels();
    Kernel attention = step.stream().filter(k -> k.kind() == KernelKind.ATTENTION).findFirst().orElseThrow();
    assertEquals(new ContractionPattern.NotAProduct("it declares no accumulator"), ContractionPattern.recognise(attention));
    // The loss: one sum over every element, not a loop nest whose iterations are independent.
    Kernel loss = step.stream().filter(k -> k.body().getFirst() instanceof KStmt.Declare).findFirst().orElseThrow();
    assertEquals(new ContractionPattern.NotAProduct("its body is not one parallel loop nest"),
        ContractionPattern.recognise(loss));
  }

  private static KernelProgram trainingStepAt(DType dtype) {
    Compilation c = Compilation.compile(SMALL_ENCODER);
    Graph forward = c.graph("EncoderSmall.loss", RunOptions.defaults().withDtype(dtype), Map.of()).graph();
    return Pipeline.gradient(Gradient.of(forward.params(), true)).kernels(forward);
  }
}
