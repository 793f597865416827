package dev.adjoint.compiler;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Checks an entry point's derived gradients against central finite differences, in f64, along a
 * random direction per input (as {@code torch.autograd.gradcheck} does per element, but with one
 * directional derivative per tensor, which scales to real models). A non-scalar output is reduced
 * with a random cotangent c: the checked function is {@code Σ c · f(x)}.
 */
public final class GradCheck {
  /**
   * One input's check: the directional derivative both ways, their relative difference, and the
   * absolute difference next to the rounding noise of the finite difference itself (about
   * ε·|f| / step). A derivative that is truly zero — a softmax's key bias — can only be judged
   * absolutely, so a check passes when either is small.
   */
  public record Check(String name, double analytic, double numeric, double relativeError, double noise) {
    public boolean passes(double tolerance) {
      return relativeError <= tolerance || Math.abs(analytic - numeric) <= noise;
    }
  }

  /** All checks of one entry point. */
  public record Report(String entry, List<Check> checks) {
    public Report {
      checks = List.copyOf(checks);
    }

    public double worstError() {
      return checks.stream().mapToDouble(Check::relativeError).max().orElse(0);
    }

    public boolean passes(double tolerance) {
      return checks.stream().allMatch(c -> c.passes(tolerance));
    }

  }

  private GradCheck() {}

  /**
   * Checks every param and floating-point input of {@code entry}. Params not given are
   * initialised from {@code seed}; {@code step} is the finite-difference step (1e-6 is a good
   * default for values of order one).
   */
  public static Report check(Compilation c, String entry, Map<String, Tensor> inputs, Map<String, Tensor> params,
      long seed, double step) {
    return check(c, entry, inputs, params, RunOptions.defaults().withSeed(seed), step);
  }

  /**
   * As above with the given options (training mode, sizes); every float is computed in f64
   * whatever {@code base} says. Random streams are keyed the same for every evaluation, so a
   * dropout mask is the same in the gradient and in each finite difference.
   */
  public static Report check(Compilation c, String entry, Map<String, Tensor> inputs, Map<String, Tensor> params,
      RunOptions base, double step) {
    RunOptions options = base.withDtype(DType.F64);
    long seed = options.seed();
    Map<String, Tensor> in = toF64(inputs);
    Run first = c.run(entry, options, in, toF64(params));
    if (first.outputs().size() != 1) {
      throw new InputException("gradcheck needs an entry point with one output; " + entry + " returns " + first.outputs().size());
    }
    Map<String, Tensor> p = new LinkedHashMap<>(first.params());
    Random random = new Random(seed ^ 0x5DEECE66DL);
    Tensor out = first.outputs().get(0);
    Tensor cotangent = out.rank() == 0 ? Tensor.scalar(DType.F64, 1) : normal(out.shapeArray(), random);
    GradientRun grads = c.gradient(entry, options, in, p, Optional.of(cotangent));
    double magnitude = Math.abs(dot(out, cotangent));
    // Rounding in f(x ± h·d) is about 1e-16·|f| each; divided by 2h and given a wide margin.
    double noise = 100 * Math.ulp(Math.max(1.0, magnitude)) / step;
    List<Check> checks = new ArrayList<>();
    for (var g : grads.gradients().entrySet()) {
      String name = g.getKey();
      boolean isParam = p.containsKey(name);
      Tensor value = isParam ? p.get(name) : in.get(name);
      Tensor direction = normal(value.shapeArray(), random);
      double analytic = dot(g.getValue(), direction);
      double plus = objective(c, entry, options, in, p, name, isParam, value, direction, step, cotangent);
      double minus = objective(c, entry, options, in, p, name, isParam, value, direction, -step, cotangent);
      double numeric = (plus - minus) / (2 * step);
      double scale = Math.max(Math.max(Math.abs(analytic), Math.abs(numeric)), 1e-8);
      checks.add(new Check(name, analytic, numeric, Math.abs(analytic - numeric) / scale, noise));
    }
    return new Report(entry, checks);
  }

  private static double objective(Compilation c, String entry, RunOptions options, Map<String, Tensor> inputs,
      Map<String, Tensor> params, String name, boolean isParam, Tensor value, Tensor direction, double step,
      Tensor cotangent) {
    double[] v = value.toDoubles();
    double[] d = direction.toDoubles();
    for (int i = 0; i < v.length; i++) v[i] += step * d[i];
    Tensor moved = Tensor.ofDoubles(DType.F64, value.shapeArray(), v);
    Map<String, Tensor> in = new LinkedHashMap<>(inputs);
    Map<String, Tensor> p = new LinkedHashMap<>(params);
    (isParam ? p : in).put(name, moved);
    return dot(c.run(entry, options, in, p).outputs().get(0), cotangent);
  }

  private static Map<String, Tensor> toF64(Map<String, Tensor> tensors) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    tensors.forEach((k, t) -> out.put(k, t.dtype().isFloating() ? t.cast(DType.F64) : t));
    return out;
  }

  private static Tensor normal(int[] shape, Random random) {
    int n = 1;
    for (int s : shape) n *= s;
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = random.nextGaussian();
    return Tensor.ofDoubles(DType.F64, shape, v);
  }

  private static double dot(Tensor a, Tensor b) {
    double s = 0;
    for (int i = 0; i < a.size(); i++) s += a.getDouble(i) * b.getDouble(i);
    return s;
  }
}
