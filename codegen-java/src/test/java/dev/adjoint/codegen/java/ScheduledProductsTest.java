package dev.adjoint.codegen.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.palantir.javapoet.JavaFile;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KernelInterpreter;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.schedule.Routine;
import dev.adjoint.compiler.schedule.Scheduler;
import dev.adjoint.compiler.target.CpuTarget;
import dev.adjoint.runtime.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The small encoder's training step generated under the schedule of each CPU preset (and of this
 * machine) and run here, at sizes that are multiples of no tile: the generated class holds the
 * preset's GEMM plan, and every schedule gives the same bits, because a tile or a cache block changes
 * which register or block holds a sum, never the order of its terms. All match the interpreter
 * within the f32 tolerance (1e-5 relative).
 */
class ScheduledProductsTest {
  private static final Path SMALL_ENCODER = Path.of("../examples/src/main/adjoint/encoder_layer_small.adj");

  @Test
  void everyCpuTargetsScheduleGivesTheSameBits() {
    KernelProgram program = Compilation.compile(SMALL_ENCODER).kernels("EncoderSmall.loss",
        RunOptions.defaults().withTraining(true).withSeed(3), true);
    Map<String, Long> sizes = Map.of("B", 3L, "T", 13L);
    SplittableRandom random = new SplittableRandom(5);
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
    List<DArray> expected = KernelInterpreter.outputs(program, values, new EvalContext(sizes, 3, 1));
    List<Tensor> first = null;
    for (CpuTarget target : List.of(CpuTarget.avx2(), CpuTarget.avx512(), CpuTarget.detected())) {
      String className = "Step" + target.name().substring(0, 1).toUpperCase() + target.name().substring(1);
      JavaFile file = JavaGenerator.generate(program, "dev.adjoint.generated.scheduled", className, Instrumentation.NONE,
          target);
      String source = file.toString();
      var gemm = Scheduler.schedule(program, target).stream().filter(s -> s.routine() == Routine.GEMM).findFirst()
          .orElseThrow();
      var tile = gemm.tile().orElseThrow();
      var blocks = gemm.blocks().orElseThrow();
      String plan = "GemmPlan.of(" + tile.rows() + ", " + tile.tile().vectors() + ", " + blocks.depth() + ", "
          + blocks.rows() + ", " + blocks.columns() + ")";
      assertTrue(source.contains(plan), target.name() + " holds " + plan);
      JavaBackend.Prepared compiled = new JavaBackend.Prepared(program,
          InProcessCompiler.instantiate(InProcessCompiler.withoutCache(GeneratedEquivalenceTest.werror()).load(file)));
      List<Tensor> outputs = compiled.run(tensors, sizes, 3, 1, 2);
      for (int i = 0; i < expected.size(); i++) {
        int output = i;
        GoldenPrograms.compare(expected.get(i), outputs.get(i), 1e-5).ifPresent(problem -> fail(target.name()
            + ", output " + output + " (" + program.outputs().get(output).name() + "): " + problem));
      }
      if (first == null) first = outputs;
      else assertEquals(first, outputs, target.name() + "'s schedule gives the bits of avx2's");
    }
  }
}
