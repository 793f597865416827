package dev.adjoint.compiler.frontend.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.GradientRun;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ir.Cast;
import dev.adjoint.compiler.ir.Graph;
import dev.adjoint.compiler.ir.Node;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Calls of functions whose signature shares {@code float} between parameters (LANGUAGE.md §3):
 * {@code float} is bound to the promoted type of the arguments that share it, the narrower ones
 * are converted by a cast at the call, and the result type follows. The programs are elaborated
 * as written (no {@code --dtype}), where the widths actually differ.
 */
class FloatPromotionTest {

  private static Graph graph(String source, String entry) {
    return Compilation.compileSource("promotion.adj", source).graph(entry, RunOptions.defaults(), Map.of()).graph();
  }

  /** The type of {@code f}'s result for {@code fn f(params) = body}. */
  private static String infer(String params, String body) {
    return graph("dim B, T\nfn f(" + params + ") = " + body + "\n", "f").outputs().get(0).type().toString();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "f64 | f32 | f32 | f64",
      "f32 | f64 | f32 | f64",
      "f32 | f32 | f64 | f64",
      "bf16 | f32 | f32 | f32",
      "f16 | bf16 | bf16 | f32",
      "bf16 | f64 | f16 | f64",
      "f16 | f16 | f16 | f16"})
  void layerNormTakesTheWidestOfItsArguments(String x, String gamma, String beta, String result) {
    assertEquals(result + "[B, 8]", infer("x: " + x + "[B, 8], g: " + gamma + "[8], b: " + beta + "[8]", "layer_norm(x, g, b)"));
  }

  @Test
  void everyPreludeFunctionWithSharedFloatParameters() {
    assertEquals("f64[B, T, 4]", infer("x: f32[B, T, 8], w: f64[8, 4], b: f32[4]", "linear(x, w, b)"));
    assertEquals("f64[B, 8]", infer("x: f32[B, 8], g: f64[8]", "rms_norm(x, g)"));
    assertEquals("f32[B, 8]", infer("x: bf16[B, 8], g: f32[8]", "rms_norm(x, g, eps=1e-3)"));
    assertEquals("f64[B, T, 5]", infer("q: f64[B, T, 4], k: f64[B, T, 4], v: f64[B, T, 5]", "attention(q, k, v, causal_mask(T))"));
    assertEquals("f64[B, T, 5]", infer("q: f32[B, T, 4], k: f64[B, T, 4], v: bf16[B, T, 5], m: f16[T, T]",
        "attention(q, k, v, m)"));
    assertEquals("f64[B, 4]", infer("ids: i32[B], w: f64[6, 4], b: f64[4]", "linear(one_hot(ids, 6), w, b)"));
    assertEquals("f64[T, 4]", infer("w: f64[8, 4], b: f64[4]", "linear(sinusoidal_positions(T, 8), w, b)"));
    assertEquals("f64[B, 8]", infer("x: f64[B, 8], g: f32[8], b: f32[8], eps: f64", "layer_norm(x, g, b, eps)"));
  }

  @Test
  void userFunctionsPromoteTheSameWay() {
    String src = """
        fn mix(a: float[..., N], b: float[N]) -> float[..., N] = a * b + 1
        fn f(x: f32[3, 4], y: f64[4]) = mix(x, y)
        fn g(x: bf16[4], y: f16[4]) = mix(x, y)
        fn h(x: f64[4]) = mix(x, x)
        """;
    assertEquals("f64[3, 4]", graph(src, "f").outputs().get(0).type().toString());
    assertEquals("f32[4]", graph(src, "g").outputs().get(0).type().toString());
    assertEquals("f64[4]", graph(src, "h").outputs().get(0).type().toString());
  }

  @Test
  void aLiteralForAFloatTensorTakesThePromotedTypeWhereverItStands() {
    // The literal comes before the argument that binds 'float': it is an f64 scalar, not an f32 one.
    String src = "fn shift(m: float[...], x: float[..., 4]) -> float[..., 4] = x + m\n"
        + "fn f(y: f64[4]) = shift(0.5, y)\n";
    Graph g = graph(src, "f");
    assertEquals("f64[4]", g.outputs().get(0).type().toString());
    assertEquals(0, g.topologicalOrder().stream().filter(n -> n.op() instanceof Cast).count());
  }

  @Test
  void onlyTheNarrowerArgumentsAreCastAtTheCall() {
    Graph g = graph("fn f(x: f64[3, 8], g: f32[8], b: f32[8]) = layer_norm(x, g, b)\n", "f");
    List<String> casts = g.topologicalOrder().stream().filter(n -> n.op() instanceof Cast)
        .map(n -> ((Cast) n.op()).to() + "(" + Graph.paramName(n.input(0)) + ": " + n.input(0).type() + ")").toList();
    assertEquals(List.of("f64(g: f32[8])", "f64(b: f32[8])"), casts);
    Graph same = graph("fn f(x: f64[3, 8], g: f64[8], b: f64[8]) = layer_norm(x, g, b)\n", "f");
    assertEquals(0, same.topologicalOrder().stream().filter(n -> n.op() instanceof Cast).count());
  }

  @Test
  void valuesAndGradientsAreThoseOfTheWideProgramOnTheSameValues() {
    String mixed = "fn f(x: f64[3, 8], g: f32[8], b: f32[8]) -> f64[3, 8] = layer_norm(x, g, b)\n";
    String wide = "fn f(x: f64[3, 8], g: f64[8], b: f64[8]) -> f64[3, 8] = layer_norm(x, g, b)\n";
    Random random = new Random(15);
    Tensor x = normal(DType.F64, new int[] {3, 8}, random);
    Tensor g = normal(DType.F32, new int[] {8}, random);
    Tensor b = normal(DType.F32, new int[] {8}, random);
    Tensor cotangent = normal(DType.F64, new int[] {3, 8}, random);
    Map<String, Tensor> narrow = Map.of("x", x, "g", g, "b", b);
    Map<String, Tensor> widened = Map.of("x", x, "g", g.cast(DType.F64), "b", b.cast(DType.F64));

    GradientRun m = Compilation.compileSource("mixed.adj", mixed)
        .gradient("f", RunOptions.defaults(), narrow, Map.of(), Optional.of(cotangent));
    GradientRun w = Compilation.compileSource("wide.adj", wide)
        .gradient("f", RunOptions.defaults(), widened, Map.of(), Optional.of(cotangent));

    // g and b are exactly representable in f64: the mixed call computes the same bits.
    assertEquals(w.outputs(), m.outputs());
    assertEquals(DType.F64, m.outputs().get(0).dtype());
    assertEquals(w.gradients().get("x"), m.gradients().get("x"));
    // The cast's gradient casts back: the narrow arguments get f32 gradients, the f64 ones rounded.
    for (String name : List.of("g", "b")) {
      assertEquals(DType.F32, m.gradients().get(name).dtype(), name);
      assertEquals(w.gradients().get(name).cast(DType.F32), m.gradients().get(name), name);
    }
  }

  private static Tensor normal(DType dtype, int[] shape, Random random) {
    int n = 1;
    for (int s : shape) n *= s;
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = random.nextGaussian();
    return Tensor.ofDoubles(dtype, shape, v);
  }
}
