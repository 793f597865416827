package dev.adjoint.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.GradCheck;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Central finite differences in f64 against the derived gradient, for every primitive and every
 * prelude function, at random shapes and values (seeded). Each program declares run-time dims,
 * so each seed draws new sizes for the same program.
 */
class FiniteDifferenceTest {
  private static final double TOLERANCE = 1e-6;
  private static final int SEEDS = 3;

  /** A program whose entry is {@code main}, and how to draw each argument: name, then its kind. */
  record Case(String name, String source, List<String> arguments) {}

  /** Argument kinds: "x:N,M" a normal tensor of dims N, M; "p:N" positive; "i:N:V" i32 ids below V; "l:N:V" labels with -1s. */
  static final List<Case> CASES = List.of(
      unary("neg", "-x"), unary("exp", "exp(x)"), positive("log", "log(x)"), positive("sqrt", "sqrt(x)"),
      positive("rsqrt", "rsqrt(x)"), unary("abs", "abs(x)"), unary("sign", "sign(x) * x"), unary("sin", "sin(x)"),
      unary("cos", "cos(x)"), unary("tanh", "tanh(x)"), unary("erf", "erf(x)"),
      unary("sigmoid", "sigmoid(x)"), unary("relu", "relu(x)"), unary("gelu", "gelu(x)"),
      unary("gelu_tanh", "gelu_tanh(x)"), unary("silu", "silu(x)"), unary("softplus", "softplus(x)"),
      unary("softmax", "softmax(x)"), unary("softmax_axis0", "softmax(x, axis=0)"),
      unary("log_softmax", "log_softmax(x)"), unary("cast", "cast(cast(x, f32), f64) * x"),
      binary("add", "x + y"), binary("sub", "x - y"), binary("mul", "x * y"), binary("div", "x / (y * y + 1)"),
      binary("maximum", "maximum(x, y)"), binary("minimum", "minimum(x, y)"),
      binary("where", "where(x > y, x * y, x - y)"), binary("mod", "(x * 3) % (y * y + 1)"),
      new Case("pow", "dim N, M\nfn main(x: f64[N, M], y: f64[N, M]) -> f64[N, M] = x ^ y", List.of("x:p:N,M", "y:x:N,M")),
      new Case("broadcast", "dim N, M\nfn main(x: f64[N, M], y: f64[M]) -> f64[N, M] = x * y + y", List.of("x:x:N,M", "y:x:M")),
      reduce("sum", "sum(x, axis=1)"), reduce("sum_all", "sum(x)"), reduce("mean", "mean(x, axis=0, keepdims=true)"),
      reduce("max", "max(x, axis=-1)"), reduce("min", "min(x, axis=[0, 1])"), reduce("prod", "prod(x, axis=0)"),
      reduce("var", "var(x, axis=-1)"),
      shape("reshape", "reshape(x, [-1])"), shape("permute", "permute(x, [2, 0, 1])"), shape("transpose", "transpose(x) * 2"),
      shape("dotT", "x.T"), shape("expand", "expand(x, [2, N, M, K])"), shape("unsqueeze", "unsqueeze(x, -1) * 3"),
      shape("squeeze", "squeeze(unsqueeze(x, 0), 0)"), shape("concat", "concat([x, x * x], axis=1)"),
      shape("stack", "stack([x, sin(x)], axis=-1)"), shape("slice", "slice(x, 1, 0, 1) + slice(x, 0, -1, N)"),
      shape("index", "x[0] * x[-1]"), shape("index_range", "x[:, 0] + x[0:1, 0]"),
      new Case("matmul", "dim N, M, K\nfn main(a: f64[N, K], b: f64[K, M]) -> f64[N, M] = a @ b", List.of("a:x:N,K", "b:x:K,M")),
      new Case("matmul_batched", "dim B, N, M, K\nfn main(a: f64[B, N, K], b: f64[B, K, M]) -> f64[B, N, M] = a @ b",
          List.of("a:x:B,N,K", "b:x:B,K,M")),
      new Case("matmul_broadcast", "dim B, N, M, K\nfn main(a: f64[B, N, K], b: f64[K, M]) -> f64[B, N, M] = a @ b",
          List.of("a:x:B,N,K", "b:x:K,M")),
      new Case("matmul_vector", "dim N, K\nfn main(a: f64[K], b: f64[N, K]) -> f64[N] = b @ a + a @ b.T", List.of("a:x:K", "b:x:N,K")),
      new Case("contraction", "dim N, M, K\nfn main(a: f64[N, K], b: f64[M, K]) -> f64[N, M] {\n"
          + "  let y[i, j] = sum[k](a[i, k] * b[j, k]) + max[k](a[i, k])\n  return y\n}", List.of("a:x:N,K", "b:x:M,K")),
      new Case("diagonal", "dim N\nfn main(a: f64[N, N]) -> f64[N] {\n  let d[i] = a[i, i] * a[0, i]\n  return d\n}",
          List.of("a:x:N,N")),
      new Case("shifted", "dim N, M\nfn main(a: f64[N, M]) -> f64[N, M] {\n"
          + "  let d[i, j] = a[i, j] * where(j + 1 < M, a[i, j + 1], 1.0)\n  return d\n}", List.of("a:x:N,M")),
      new Case("gather", "dim N, V, D\nfn main(table: f64[V, D], ids: i32[N]) -> f64[N, D] = embedding(table, ids) * 2",
          List.of("table:x:V,D", "ids:i:N:V")),
      // A start drawn in [0, 6) runs past the end of the axis at small sizes: the clamp is checked too.
      new Case("update_slice", "dim N, K\nfn main(c: f64[N, 4, K], v: f64[N, 1, K], pos: i32) -> f64[N, 4, K] =\n"
          + "  update_slice(c, v * v, 1, pos) * c", List.of("c:x:N,4,K", "v:x:N,1,K", "pos:i::6")),
      new Case("update_slice_whole", "dim N, M\nfn main(c: f64[N, M], v: f64[N, M], pos: i32) -> f64[N, M] =\n"
          + "  sin(update_slice(c, v, 0, pos)) + c", List.of("c:x:N,M", "v:x:N,M", "pos:i::3")),
      new Case("dynamic_slice", "dim N, M\nfn main(x: f64[N, 4, M], pos: i32) -> f64[N, 2, M] =\n"
          + "  dynamic_slice(x, 1, pos, 2) * dynamic_slice(x, -2, 1, 2)", List.of("x:x:N,4,M", "pos:i::5")),
      new Case("layer_norm", "dim N, D\nfn main(x: f64[N, D], g: f64[D], b: f64[D]) -> f64[N, D] = layer_norm(x, g, b)",
          List.of("x:x:N,D", "g:x:D", "b:x:D")),
      new Case("rms_norm", "dim N, D\nfn main(x: f64[N, D], g: f64[D]) -> f64[N, D] = rms_norm(x, g)", List.of("x:x:N,D", "g:x:D")),
      new Case("linear", "dim N, D, E\nfn main(x: f64[N, D], w: f64[D, E], b: f64[E]) -> f64[N, E] = linear(x, w, b)",
          List.of("x:x:N,D", "w:x:D,E", "b:x:E")),
      new Case("cross_entropy", "dim N, V\nfn main(x: f64[N, V], y: i32[N]) -> f64 = cross_entropy(x, y, smoothing=0.1)",
          List.of("x:x:N,V", "y:l:N:V")),
      new Case("attention", "dim T, S, D\nfn main(q: f64[2, T, D], k: f64[2, S, D], v: f64[2, S, D]) -> f64[2, T, D] =\n"
          + "  attention(q, k, v, 0.0)", List.of("q:x:2,T,D", "k:x:2,S,D", "v:x:2,S,D")),
      new Case("causal_attention", "dim T, D\nfn main(q: f64[T, D], k: f64[T, D], v: f64[T, D]) -> f64[T, D] =\n"
          + "  attention(q, k, v, causal_mask(T, dtype=f64))", List.of("q:x:T,D", "k:x:T,D", "v:x:T,D")),
      new Case("rope", "dim T\nfn main(x: f64[2, T, 6]) -> f64[2, T, 6] = rope(x) * x", List.of("x:x:2,T,6")),
      new Case("one_hot", "dim N, V\nfn main(x: f64[N, V], y: i32[N]) -> f64[N, V] = x * one_hot(y, V, dtype=f64)",
          List.of("x:x:N,V", "y:i:N:V")),
      new Case("positions", "dim T, D\nfn main(x: f64[T, D]) -> f64[T, D] = x * sinusoidal_positions(T, D, dtype=f64)",
          List.of("x:x:T,D")),
      new Case("padding_mask", "dim B, S\nfn main(x: f64[B, 1, 1, S], ids: i32[B, S]) -> f64[B, 1, 1, S] =\n"
          + "  softmax(x + padding_mask(ids, dtype=f64))", List.of("x:x:B,1,1,S", "ids:i:B,S:3")));

  static Case unary(String name, String body) {
    return new Case(name, "dim N, M\nfn main(x: f64[N, M]) -> f64[N, M] = " + body, List.of("x:x:N,M"));
  }

  static Case positive(String name, String body) {
    return new Case(name, "dim N, M\nfn main(x: f64[N, M]) -> f64[N, M] = " + body, List.of("x:p:N,M"));
  }

  static Case binary(String name, String body) {
    return new Case(name, "dim N, M\nfn main(x: f64[N, M], y: f64[N, M]) -> f64[N, M] = " + body, List.of("x:x:N,M", "y:x:N,M"));
  }

  static Case reduce(String name, String body) {
    return new Case(name, "dim N, M\nfn main(x: f64[N, M]) = " + body, List.of("x:x:N,M"));
  }

  static Case shape(String name, String body) {
    return new Case(name, "dim N, M, K\nfn main(x: f64[N, M, K]) = " + body, List.of("x:x:N,M,K"));
  }

  static Stream<Arguments> cases() {
    List<Arguments> all = new ArrayList<>();
    for (Case c : CASES) for (int seed = 0; seed < SEEDS; seed++) all.add(Arguments.of(c.name(), seed, c));
    return all.stream();
  }

  @ParameterizedTest(name = "{0} seed {1}")
  @MethodSource("cases")
  void gradientMatchesFiniteDifferences(String name, int seed, Case c) {
    Random random = new Random(seed * 7919L + name.hashCode());
    Map<String, Integer> sizes = new LinkedHashMap<>();
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    for (String spec : c.arguments()) {
      String[] parts = spec.split(":");
      String[] dims = parts[2].isEmpty() ? new String[0] : parts[2].split(",");
      int[] shape = new int[dims.length];
      for (int i = 0; i < dims.length; i++) {
        shape[i] = dims[i].matches("\\d+") ? Integer.parseInt(dims[i]) : sizes.computeIfAbsent(dims[i], d -> 2 + random.nextInt(4));
      }
      inputs.put(parts[0], draw(parts[1], shape, parts.length > 3 ? parts[3] : null, sizes, random));
    }
    Compilation compilation = Compilation.compileSource(name + ".adj", c.source());
    GradCheck.Report report = GradCheck.check(compilation, "main", inputs, Map.of(), seed, 1e-6);
    assertTrue(report.passes(TOLERANCE), () -> name + " at sizes " + sizes + ": " + report.checks());
    assertTrue(!report.checks().isEmpty(), name + " checked nothing");
  }

  private static Tensor draw(String kind, int[] shape, String bound, Map<String, Integer> sizes, Random random) {
    int n = 1;
    for (int s : shape) n *= s;
    int limit = bound == null ? 0 : bound.matches("\\d+") ? Integer.parseInt(bound) : sizes.computeIfAbsent(bound, d -> 2 + random.nextInt(4));
    switch (kind) {
      case "i", "l" -> {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = kind.equals("l") && i % 3 == 2 ? -1 : random.nextInt(limit);
        return Tensor.ofInts(shape, v);
      }
      default -> {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
          double g = random.nextGaussian();
          v[i] = kind.equals("p") ? 0.5 + Math.abs(g) : g;
        }
        return Tensor.ofDoubles(DType.F64, shape, v);
      }
    }
  }
}
