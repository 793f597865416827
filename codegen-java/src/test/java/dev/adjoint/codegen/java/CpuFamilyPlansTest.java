package dev.adjoint.codegen.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import com.palantir.javapoet.JavaFile;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.Run;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KernelInterpreter;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.schedule.Routine;
import dev.adjoint.compiler.schedule.Schedule;
import dev.adjoint.compiler.schedule.Scheduler;
import dev.adjoint.compiler.target.CpuTarget;
import dev.adjoint.compiler.target.CpuTargets;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.exec.gemm.CpuFamily;
import dev.adjoint.runtime.exec.gemm.GemmPlan;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A class generated for every CPU family holds each family's GEMM plan (the schedule of its preset)
 * and takes the plan of the family it runs on when it loads; {@code -Dadjoint.cpu} makes it take
 * another family's here. Under each family's plan it computes what the interpreters compute.
 */
class CpuFamilyPlansTest {
  private static final Path TINY = Path.of("src", "test", "resources", "model", "tiny.adj");
  private static final Path SMALL_ENCODER = Path.of("../examples/src/main/adjoint/encoder_layer_small.adj");

  @Test
  void aModelClassTakesTheScheduleOfTheFamilyItRunsOn() {
    Compilation c = Compilation.compile(TINY);
    List<JavaFile> files = ModelGenerator.generate(c, "dev.adjoint.generated.families", RunOptions.defaults());
    assertEquals(1, files.size());
    KernelProgram forward = c.kernels("Tiny.forward", RunOptions.defaults(), false);
    Tensor x = Tensor.ofFloats(new int[] {7, 3}, randomFloats(21, 1));
    for (CpuFamily family : CpuFamily.values()) {
      Object model = withFamily(family, () -> {
        Class<?> type = InProcessCompiler.withoutCache(GeneratedEquivalenceTest.werror()).load(files.get(0));
        try {
          return type.getConstructor(long.class).newInstance(0L);
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
      });
      // Every product of every nested kernels class runs on the family's preset's plan.
      List<GemmPlan> plans = planConstants(model.getClass());
      assertFalse(plans.isEmpty(), "the Tiny model multiplies");
      for (GemmPlan plan : plans) assertEquals(expectedPlan(forward, family), plan, family.label());

      @SuppressWarnings("unchecked")
      Map<String, Tensor> params = (Map<String, Tensor>) ModelCalls.call(model, "params");
      Run expected = c.run("Tiny.forward", RunOptions.defaults(), Map.of("x", x), params);
      Tensor actual = (Tensor) ModelCalls.call(model, "forward", x);
      ModelCalls.assertClose(family.label() + ": forward", expected.outputs().get(0), actual, 1e-5);
    }
  }

  @Test
  void aModelNamedAfterTheTypesThePlansUseStillPicksItsPlan() {
    Compilation c = Compilation.compileSource("families.adj", """
        dim B
        model CpuFamily {
          param w: f32[3, 2]
          fn forward(x: f32[B, 3]) -> f32[B, 2] = x @ w
        }
        model GemmPlan {
          param w: f32[3, 2]
          fn forward(x: f32[B, 3]) -> f32[B, 2] = x @ w
        }
        """);
    List<JavaFile> files = ModelGenerator.generate(c, "dev.adjoint.generated.families", RunOptions.defaults());
    assertEquals(2, files.size());
    KernelProgram forward = c.kernels("CpuFamily.forward", RunOptions.defaults(), false);
    for (JavaFile file : files) {
      Object model = withFamily(CpuFamily.AVX2, () -> {
        try {
          return InProcessCompiler.withoutCache(GeneratedEquivalenceTest.werror()).load(file)
              .getConstructor(long.class).newInstance(0L);
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
      });
      assertEquals(List.of(expectedPlan(forward, CpuFamily.AVX2)), planConstants(model.getClass()), file.typeSpec().name());
    }
  }

  @Test
  void aTrainingStepMatchesTheInterpreterUnderEveryFamilysPlan() {
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
      double[] data = new double[Arrays.stream(shape).reduce(1, (p, q) -> p * q)];
      for (int i = 0; i < data.length; i++) data[i] = random.nextDouble(-1, 1);
      DArray value = DArray.of(b.type().dtype(), shape, data);
      values.put(b.name(), value);
      tensors.put(b.name(), Tensor.ofDoubles(b.type().dtype(), shape, value.toArray()));
    }
    List<DArray> expected = KernelInterpreter.outputs(program, values, new EvalContext(sizes, 3, 1));
    JavaFile file = JavaGenerator.generate(program, "dev.adjoint.generated.families", "EveryFamilyStep",
        Instrumentation.NONE, CpuTargets.everyFamily());
    for (CpuFamily family : CpuFamily.values()) {
      Class<?> type = withFamily(family,
          () -> InProcessCompiler.withoutCache(GeneratedEquivalenceTest.werror()).load(file));
      List<GemmPlan> plans = planConstants(type);
      assertEquals(List.of(expectedPlan(program, family)), plans, family.label() + ": one plan, the preset's");
      List<Tensor> outputs = new JavaBackend.Prepared(program, InProcessCompiler.instantiate(type))
          .run(tensors, sizes, 3, 1, 2);
      for (int i = 0; i < expected.size(); i++) {
        int output = i;
        GoldenPrograms.compare(expected.get(i), outputs.get(i), 1e-5).ifPresent(problem -> fail(family.label()
            + ", output " + output + " (" + program.outputs().get(output).name() + "): " + problem));
      }
    }
  }

  /** The plan of {@code program}'s first product under the preset of {@code family}, as this process builds it. */
  private static GemmPlan expectedPlan(KernelProgram program, CpuFamily family) {
    Schedule gemm = Scheduler.schedule(program, CpuTarget.preset(family)).stream()
        .filter(s -> s.routine() == Routine.GEMM).findFirst().orElseThrow();
    var tile = gemm.tile().orElseThrow();
    var blocks = gemm.blocks().orElseThrow();
    return GemmPlan.of(tile.rows(), tile.tile().vectors(), blocks.depth(), blocks.rows(), blocks.columns());
  }

  /** The values of the {@code static final GemmPlan} constants of {@code type} and its nested classes. */
  private static List<GemmPlan> planConstants(Class<?> type) {
    List<GemmPlan> out = new ArrayList<>();
    List<Class<?>> classes = new ArrayList<>(List.of(type));
    classes.addAll(List.of(type.getDeclaredClasses()));
    for (Class<?> k : classes) {
      for (Field f : k.getDeclaredFields()) {
        if (f.getType() != GemmPlan.class || !Modifier.isStatic(f.getModifiers())) continue;
        try {
          f.setAccessible(true);
          out.add((GemmPlan) f.get(null));
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    return out;
  }

  /** {@code action} with {@code -Dadjoint.cpu} naming {@code family}: classes it loads take that family's plans. */
  private static <T> T withFamily(CpuFamily family, Supplier<T> action) {
    String before = System.getProperty(CpuFamily.PROPERTY);
    System.setProperty(CpuFamily.PROPERTY, family.label());
    try {
      T result = action.get();
      // The constants are read when the class initialises: now, while the property names the family.
      planConstants(result instanceof Class<?> k ? k : result.getClass());
      return result;
    } finally {
      if (before == null) System.clearProperty(CpuFamily.PROPERTY);
      else System.setProperty(CpuFamily.PROPERTY, before);
    }
  }

  private static float[] randomFloats(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) out[i] = (float) random.nextDouble(-1, 1);
    return out;
  }
}
