package dev.adjoint.codegen.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.codegen.java.ModelClasses.Compiled;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.io.Safetensors;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed API of a generated model class: params, files, argument checks, threads, names. */
class ModelClassApiTest {
  private static final Compiled ENCODER = ModelClasses.get("Encoder", Optional.empty());

  private static Tensor input(int b, int t, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] v = new double[b * t * 16];
    for (int i = 0; i < v.length; i++) v[i] = random.nextGaussian();
    return Tensor.ofDoubles(DType.F32, new int[] {b, t, 16}, v);
  }

  @Test
  void paramsAreInitialisedAsTheCompilerInitialisesThem() {
    Object model = ENCODER.newInstance(11);
    @SuppressWarnings("unchecked")
    Map<String, Tensor> params = (Map<String, Tensor>) ModelCalls.call(model, "params");
    Map<String, Tensor> expected = ENCODER.compilation().run("Encoder.forward", RunOptions.defaults().withSeed(11),
        Map.of("x", input(1, 2, 0)), Map.of()).params();
    assertEquals(expected, params);
    assertNotEquals(params, ModelCalls.call(ENCODER.newInstance(12), "params"));
  }

  @Test
  void typedAccessorsReadAndWriteTheParams() {
    Object model = ENCODER.newInstance(1);
    Tensor wq = (Tensor) ModelCalls.call(model, "encoderSelfAttnWq");
    assertSame(wq, ModelCalls.call(model, "param", "encoder.self_attn.wq"));
    Tensor zeros = Tensor.zeros(DType.F32, new int[] {16, 16});
    ModelCalls.call(model, "setEncoderSelfAttnWq", zeros);
    assertSame(zeros, ModelCalls.call(model, "param", "encoder.self_attn.wq"));
    Tensor ones = Tensor.ofDoubles(DType.F32, new int[] {16}, new double[16]);
    ModelCalls.call(model, "setParam", "encoder.norm1.gamma", ones);
    assertSame(ones, ModelCalls.call(model, "encoderNorm1Gamma"));

    assertEquals("param 'encoder.self_attn.wq' must be f32[16, 16], got f32[16]",
        assertThrows(IllegalArgumentException.class, () -> ModelCalls.call(model, "setEncoderSelfAttnWq", ones))
            .getMessage());
    assertEquals("param 'encoder.norm1.gamma' must be f32[16], got f64[16]",
        assertThrows(IllegalArgumentException.class, () -> ModelCalls.call(model, "setParam", "encoder.norm1.gamma",
            Tensor.zeros(DType.F64, new int[] {16}))).getMessage());
    String message = assertThrows(IllegalArgumentException.class,
        () -> ModelCalls.call(model, "param", "encoder.wq")).getMessage();
    assertTrue(message.startsWith("no param named 'encoder.wq'; the params are encoder.self_attn.wq, "), message);
  }

  @Test
  void paramsSurviveASaveAndALoad(@TempDir Path dir) {
    Object model = ENCODER.newInstance(3);
    Tensor x = input(2, 3, 4);
    Tensor before = (Tensor) ModelCalls.call(model, "forward", x);
    Path file = dir.resolve("encoder.safetensors");
    ModelCalls.call(model, "saveParams", file);
    Object loaded = ModelCalls.call(model, "params");
    Object fresh;
    try {
      Method load = ENCODER.type().getMethod("load", Path.class);
      fresh = load.invoke(null, file);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
    assertEquals(loaded, ModelCalls.call(fresh, "params"));
    assertEquals(before, ModelCalls.call(fresh, "forward", x));
  }

  @Test
  void aFileMissingAParamOrHoldingAStrangerIsRefusedAndChangesNothing(@TempDir Path dir) {
    Object model = ENCODER.newInstance(3);
    @SuppressWarnings("unchecked")
    Map<String, Tensor> params = new LinkedHashMap<>((Map<String, Tensor>) ModelCalls.call(model, "params"));
    Object other = ENCODER.newInstance(4);
    Object otherParams = ModelCalls.call(other, "params");

    params.remove("encoder.norm2.beta");
    Path missing = dir.resolve("missing.safetensors");
    Safetensors.write(missing, params);
    assertEquals("'" + missing + "' has no value for param 'encoder.norm2.beta'",
        assertThrows(IllegalArgumentException.class, () -> ModelCalls.call(other, "loadParams", missing)).getMessage());

    params.put("encoder.norm2.beta", Tensor.zeros(DType.F32, new int[] {16}));
    params.put("decoder.w", Tensor.zeros(DType.F32, new int[] {1}));
    Path stranger = dir.resolve("stranger.safetensors");
    Safetensors.write(stranger, params);
    assertEquals("'" + stranger + "' holds 'decoder.w', which is not a param of this model",
        assertThrows(IllegalArgumentException.class, () -> ModelCalls.call(other, "loadParams", stranger)).getMessage());

    params.remove("decoder.w");
    params.put("encoder.norm2.beta", Tensor.zeros(DType.F32, new int[] {15}));
    Path wrongShape = dir.resolve("shape.safetensors");
    Safetensors.write(wrongShape, params);
    assertEquals("param 'encoder.norm2.beta' must be f32[16], got f32[15]",
        assertThrows(IllegalArgumentException.class, () -> ModelCalls.call(other, "loadParams", wrongShape))
            .getMessage());
    assertEquals(otherParams, ModelCalls.call(other, "params"));
  }

  @Test
  void badArgumentsAreNamedWithTheirAxis() {
    Object model = ENCODER.newInstance(0);
    assertEquals("argument 'x' is null; expected f32[B, T, 16]",
        assertThrows(IllegalArgumentException.class, () -> ModelCalls.call(model, "forward", (Object) null)).getMessage());
    assertEquals("argument 'x' must be f32[B, T, 16], got f64[2, 3, 16]",
        assertThrows(IllegalArgumentException.class,
            () -> ModelCalls.call(model, "forward", Tensor.zeros(DType.F64, new int[] {2, 3, 16}))).getMessage());
    assertEquals("argument 'x' must be f32[B, T, 16], got f32[3, 16]",
        assertThrows(IllegalArgumentException.class,
            () -> ModelCalls.call(model, "forward", Tensor.zeros(DType.F32, new int[] {3, 16}))).getMessage());
    assertEquals("argument 'x' axis 2 has size 15, expected 16",
        assertThrows(IllegalArgumentException.class,
            () -> ModelCalls.call(model, "valueAndGrad", Tensor.zeros(DType.F32, new int[] {2, 3, 15}))).getMessage());
  }

  @Test
  void aSizeFixedByOneArgumentIsCheckedOnTheOthers() {
    Compiled attention = ModelClasses.get("Attention", Optional.empty());
    Object functions = attention.newInstance(0);
    Tensor q = Tensor.zeros(DType.F32, new int[] {2, 3, 8});
    Tensor k = Tensor.zeros(DType.F32, new int[] {2, 4, 8});
    assertEquals("argument 'k' axis 1 has size 4, expected T = 3 (fixed by argument 'q' axis 1)",
        assertThrows(IllegalArgumentException.class, () -> ModelCalls.call(functions, "causalAttention", q, k, q))
            .getMessage());
  }

  @Test
  void threadsChangeNothingButTheThreads() {
    Object model = ENCODER.newInstance(2);
    Tensor x = input(3, 9, 1);
    assertEquals(1, ModelCalls.call(model, "threads"));
    Object one = ModelCalls.call(model, "valueAndGrad", x);
    ModelCalls.call(model, "setThreads", 3);
    assertEquals(3, ModelCalls.call(model, "threads"));
    Object three = ModelCalls.call(model, "valueAndGrad", x);
    assertEquals(ModelCalls.call(one, "value"), ModelCalls.call(three, "value"));
    assertEquals(ModelCalls.gradients(one), ModelCalls.gradients(three));
    assertEquals("threads must be at least 1, got 0",
        assertThrows(IllegalArgumentException.class, () -> ModelCalls.call(model, "setThreads", 0)).getMessage());
  }

  @Test
  void gradientsHaveNamedAccessors() {
    Object model = ENCODER.newInstance(2);
    Object result = ModelCalls.call(model, "valueAndGrad", input(2, 2, 7));
    Map<String, Tensor> gradients = ModelCalls.gradients(result);
    assertEquals("x", gradients.keySet().iterator().next());
    assertSame(gradients.get("x"), ModelCalls.call(result, "x"));
    assertSame(gradients.get("encoder.ffn.inner.w"), ModelCalls.call(result, "encoderFfnInnerW"));
    assertSame(gradients.get("encoder.ffn.inner.w"), ModelCalls.call(result, "gradient", "encoder.ffn.inner.w"));
    String message = assertThrows(IllegalArgumentException.class, () -> ModelCalls.call(result, "gradient", "y"))
        .getMessage();
    assertTrue(message.startsWith("no gradient of 'y' among [x, encoder.self_attn.wq, "), message);
  }

  @Test
  void inTrainingModeDropoutIsKeyedByTheSeedAndTheStep() throws Exception {
    RunOptions training = RunOptions.defaults().withTraining(true).withSeed(6);
    List<com.palantir.javapoet.JavaFile> files = ModelGenerator.generate(ENCODER.compilation(),
        "dev.adjoint.generated.models.training", training);
    Class<?> type = InProcessCompiler.withoutCache(GeneratedEquivalenceTest.werror()).load(files.get(0));
    Object model = type.getConstructor(long.class).newInstance(6L);
    Tensor x = input(2, 5, 3);
    assertEquals(0, ModelCalls.call(model, "step"));
    Object atZero = ModelCalls.call(model, "valueAndGrad", x);
    var want = ENCODER.compilation().gradient("Encoder.forward", training, Map.of("x", x), Map.of(), Optional.empty());
    ModelCalls.assertClose("value", want.outputs().get(0), (Tensor) ModelCalls.call(atZero, "value"), 1e-5);
    Map<String, Tensor> gradients = ModelCalls.gradients(atZero);
    for (var g : want.gradients().entrySet()) {
      ModelCalls.assertClose(g.getKey(), g.getValue(), gradients.get(g.getKey()), 1e-5);
    }
    // Dropout is on: not the evaluation-mode result; another step draws other masks; a step run again, the same.
    assertNotEquals(ModelCalls.call(ENCODER.newInstance(6), "forward", x), ModelCalls.call(model, "forward", x));
    ModelCalls.call(model, "setStep", 1);
    assertNotEquals(ModelCalls.call(atZero, "value"), ModelCalls.call(ModelCalls.call(model, "valueAndGrad", x), "value"));
    ModelCalls.call(model, "setStep", 0);
    assertEquals(ModelCalls.call(atZero, "value"), ModelCalls.call(ModelCalls.call(model, "valueAndGrad", x), "value"));
    assertTrue(files.get(0).toString().contains("Runs are in training mode"));
  }

  @Test
  void theClassNeedsOnlyTheRuntime() {
    for (Compiled c : ModelClasses.ALL) {
      List<String> imports = c.source().toString().lines().filter(l -> l.startsWith("import ")).toList();
      for (String line : imports) {
        assertTrue(line.startsWith("import dev.adjoint.runtime.") || line.startsWith("import java."),
            () -> c.label() + ": " + line);
      }
      assertTrue(!c.source().toString().contains("dev.adjoint.compiler") && !c.source().toString().contains("codegen"),
          c.label());
      // Nor the training application (adjoint-train), which generated code never calls.
      assertTrue(!c.source().toString().contains("dev.adjoint.train") && !c.source().toString().contains(".train."),
          c.label());
    }
  }

  @Test
  void generatingTwiceGivesTheSameBytes() {
    Compiled c = ModelClasses.get("Translator", Optional.empty());
    Compilation again = Compilation.compile(ModelClasses.EXAMPLES.resolve(c.file()));
    assertEquals(c.source().toString(),
        ModelGenerator.generate(again, c.source().packageName(), RunOptions.defaults()).get(0).toString());
  }
}
