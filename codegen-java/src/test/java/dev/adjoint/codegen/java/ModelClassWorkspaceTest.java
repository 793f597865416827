package dev.adjoint.codegen.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.JavaFile;
import dev.adjoint.codegen.java.ModelClasses.Compiled;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.exec.WorkspacePool;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated model classes keep the arrays a call writes for later calls: every entry point of
 * the examples' classes, and its gradient, is called once, has the kept arrays filled with NaN,
 * infinities and huge values, is called again on other inputs, and must return, bit for bit,
 * what a call on fresh arrays returns; {@code releaseWorkspaces} lets the kept arrays go.
 */
class ModelClassWorkspaceTest {
  private static final long SEED = 5;

  static Stream<Arguments> entries() {
    return ModelClassTest.entries().filter(a -> (int) a.get()[3] == 0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("entries")
  void aCallOnPoisonedKeptArraysEqualsACallOnFreshOnes(String label, Compiled c, String entry, int unused) {
    Graph graph = c.compilation().graph(entry, c.options(SEED), Map.of()).graph();
    Object[] first = arguments(graph, 0);
    Object[] second = arguments(graph, 1);
    Object model = c.newInstance(SEED);
    String function = entry.substring(entry.indexOf('.') + 1);
    List<String> methods = new ArrayList<>(List.of(JavaNames.identifier(function, "entry")));
    ModelClassTest.gradientMethod(c, function, graph).ifPresent(methods::add);
    for (String method : methods) {
      ModelCalls.call(model, method, first);
      assertTrue(poisonKeptArrays(model) > 0, method + " kept its arrays");
      Object reused = results(ModelCalls.call(model, method, second));
      ModelCalls.call(model, "releaseWorkspaces");
      assertEquals(0, poisonKeptArrays(model), "released");
      assertEquals(results(ModelCalls.call(model, method, second)), reused, method);
    }
  }

  /** bf16 params are widened into the workspace's arrays: poisoned, they are overwritten before use. */
  @Test
  void aBf16ModelWidensItsParamsIntoKeptArrays() {
    Compilation c = Compilation.compile(Path.of("src", "test", "resources", "model", "tiny.adj"));
    List<JavaFile> files = ModelGenerator.generate(c, "dev.adjoint.generated.workspace", RunOptions.defaults()
        .withDtype(DType.BF16));
    String source = files.get(0).toString();
    assertTrue(source.contains("TensorArrays.copyInto(params.get(0), workspace.f32(2, Arguments.elements(\"w\", 3, 2)))"),
        source);
    Class<?> type = InProcessCompiler.withoutCache(GeneratedEquivalenceTest.werror()).load(files.get(0));
    Object model;
    try {
      model = type.getConstructor(long.class).newInstance(3L);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
    Tensor x1 = Tensor.ofDoubles(DType.BF16, new int[] {2, 3}, new double[] {1, -2, 0.5, 3, 0.25, -1});
    Tensor y1 = Tensor.ofDoubles(DType.BF16, new int[] {2, 2}, new double[] {0.5, 1, -1, 2});
    Tensor x2 = Tensor.ofDoubles(DType.BF16, new int[] {2, 3}, new double[] {-1, 4, 1.5, 2, 0.75, -3});
    Tensor y2 = Tensor.ofDoubles(DType.BF16, new int[] {2, 2}, new double[] {1.5, -1, 0, 2});
    ModelCalls.call(model, "valueAndGrad", x1, y1);
    assertTrue(poisonKeptArrays(model) > 0);
    Object reused = results(ModelCalls.call(model, "valueAndGrad", x2, y2));
    ModelCalls.call(model, "releaseWorkspaces");
    assertEquals(results(ModelCalls.call(model, "valueAndGrad", x2, y2)), reused);
  }

  private static Object[] arguments(Graph graph, int seed) {
    Map<String, Tensor> inputs = ModelClassTest.randomInputs(graph, new SplittableRandom(seed));
    return graph.arguments().stream().map(a -> inputs.get(Graph.paramName(a))).toArray();
  }

  /** A tensor, a list of them, or a {@code valueAndGrad} result as its value and gradients. */
  private static Object results(Object result) {
    if (result instanceof Tensor || result instanceof List<?>) return result;
    Object value = Optional.ofNullable(tryCall(result, "value")).orElseGet(() -> tryCall(result, "values"));
    return List.of(value, ModelCalls.gradients(result));
  }

  private static Object tryCall(Object target, String name) {
    try {
      return target.getClass().getMethod(name).invoke(target);
    } catch (NoSuchMethodException e) {
      return null;
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  /** Poisons the idle workspaces of every method of the model; returns how many there were. */
  private static int poisonKeptArrays(Object model) {
    int idle = 0;
    for (Field f : model.getClass().getDeclaredFields()) {
      if (f.getType() != WorkspacePool.class) continue;
      try {
        f.setAccessible(true);
        WorkspacePool pool = (WorkspacePool) f.get(model);
        pool.poisonIdle();
        idle += pool.idleCount();
      } catch (IllegalAccessException e) {
        throw new AssertionError(e);
      }
    }
    return idle;
  }
}
