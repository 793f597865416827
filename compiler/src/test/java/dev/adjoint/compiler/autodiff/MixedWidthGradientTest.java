package dev.adjoint.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.GradientRun;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Central finite differences against the derived gradient of calls whose {@code float} arguments
 * have different widths, run as written (no {@code --dtype}): the f32 arguments are cast to f64 at
 * the call, and their gradients must come back through the cast. {@link dev.adjoint.compiler.GradCheck}
 * forces every float to f64, which would remove the casts, so this test moves the inputs itself.
 *
 * <p>An f32 input can only move by steps it can represent: its values and the direction's are
 * multiples of 2^-10 and 2^-8 below 4 in magnitude, and the step is 2^-12, so every
 * {@code x ± step · d} is an exact f32 (bits 2^1 to 2^-20). f64 inputs move by 1e-6.
 */
class MixedWidthGradientTest {
  private static final double NARROW_STEP = 0x1p-12;
  private static final double WIDE_STEP = 1e-6;

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "layer_norm | fn main(x: f64[3, 6], g: f32[6], b: f32[6]) -> f64[3, 6] = layer_norm(x, g, b) * x"
          + " | x:f64:3,6 g:f32:6 b:f32:6",
      "attention | fn main(q: f64[4, 3], k: f64[5, 3], v: f64[5, 2], m: f32[4, 5]) -> f64[4, 2] = attention(q, k, v, m)"
          + " | q:f64:4,3 k:f64:5,3 v:f64:5,2 m:f32:4,5",
      "linear | fn main(x: f32[2, 4], w: f64[4, 3], b: f32[3]) -> f64[2, 3] = tanh(linear(x, w, b))"
          + " | x:f32:2,4 w:f64:4,3 b:f32:3",
      "user | fn mix(a: float[..., N], b: float[N]) -> float[..., N] = sin(a) * b\\n"
          + "fn main(x: f32[3, 4], y: f64[4]) -> f64[3, 4] = mix(x, y) | x:f32:3,4 y:f64:4"})
  void gradientThroughTheCallsCastsMatchesFiniteDifferences(String name, String source, String arguments) {
    Random random = new Random(name.hashCode());
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    for (String spec : arguments.split(" ")) {
      String[] parts = spec.split(":");
      int[] shape = java.util.Arrays.stream(parts[2].split(",")).mapToInt(Integer::parseInt).toArray();
      inputs.put(parts[0], parts[1].equals("f64") ? draw(DType.F64, shape, random, 0) : draw(DType.F32, shape, random, 10));
    }
    Compilation c = Compilation.compileSource(name + ".adj", source.replace("\\n", "\n"));
    Tensor output = c.run("main", RunOptions.defaults(), inputs, Map.of()).outputs().get(0);
    assertEquals(DType.F64, output.dtype());
    Tensor cotangent = draw(DType.F64, output.shapeArray(), random, 0);
    GradientRun grads = c.gradient("main", RunOptions.defaults(), inputs, Map.of(), Optional.of(cotangent));
    assertEquals(inputs.keySet(), grads.gradients().keySet());

    for (var entry : inputs.entrySet()) {
      String input = entry.getKey();
      Tensor value = entry.getValue();
      Tensor gradient = grads.gradients().get(input);
      assertEquals(value.dtype(), gradient.dtype(), "the gradient of " + input + " has its type");
      boolean narrow = value.dtype() != DType.F64;
      Tensor direction = draw(value.dtype(), value.shapeArray(), random, narrow ? 8 : 0);
      double step = narrow ? NARROW_STEP : WIDE_STEP;
      double analytic = dot(gradient, direction);
      double plus = objective(c, inputs, input, direction, step, cotangent);
      double minus = objective(c, inputs, input, direction, -step, cotangent);
      double numeric = (plus - minus) / (2 * step);
      double error = Math.abs(analytic - numeric) / Math.max(Math.max(Math.abs(analytic), Math.abs(numeric)), 1e-8);
      // f32 gradients are rounded to 24 bits, the narrow step leaves an O(step²) truncation error.
      assertTrue(error < (narrow ? 1e-5 : 1e-6), name + ": d/d" + input + " analytic " + analytic + ", numeric " + numeric);
    }
  }

  private static double objective(Compilation c, Map<String, Tensor> inputs, String input, Tensor direction, double step,
      Tensor cotangent) {
    Tensor value = inputs.get(input);
    double[] v = value.toDoubles();
    double[] d = direction.toDoubles();
    for (int i = 0; i < v.length; i++) v[i] += step * d[i];
    Tensor moved = Tensor.ofDoubles(value.dtype(), value.shapeArray(), v);
    assertTrue(java.util.Arrays.equals(v, moved.toDoubles()), input + " moved by a step its type cannot hold");
    Map<String, Tensor> in = new LinkedHashMap<>(inputs);
    in.put(input, moved);
    return dot(c.run("main", RunOptions.defaults(), in, Map.of()).outputs().get(0), cotangent);
  }

  /** Normal values; with {@code bits > 0}, rounded to multiples of 2^-bits and kept below 4 in magnitude. */
  private static Tensor draw(DType dtype, int[] shape, Random random, int bits) {
    int n = 1;
    for (int s : shape) n *= s;
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      double g = random.nextGaussian();
      v[i] = bits == 0 ? g : Math.scalb((double) Math.round(Math.scalb(Math.max(-3.9, Math.min(3.9, g)), bits)), -bits);
    }
    return Tensor.ofDoubles(dtype, shape, v);
  }

  private static double dot(Tensor a, Tensor b) {
    double s = 0;
    for (int i = 0; i < a.size(); i++) s += a.getDouble(i) * b.getDouble(i);
    return s;
  }
}
