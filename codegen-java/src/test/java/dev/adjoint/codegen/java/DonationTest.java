package dev.adjoint.codegen.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.palantir.javapoet.JavaFile;
import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code cache: donate T} in generated Java (docs/language.md, "In-place state"): the kernels write
 * the updated cache into the argument's own array and the result is the argument's tensor, so
 * nothing is copied; the values are the interpreter's.
 */
class DonationTest {
  private static final String SOURCE = """
      model Cache {
        fn decode(cache: %s f32[2, 6, 3], k: f32[2, 1, 3], q: f32[2, 3], pos: i32) -> (f32[2, 6, 3], f32[2, 6]) {
          let c = update_slice(cache, k * 2.0, 1, pos)
          let scores[b, t] = sum[d](c[b, t, d] * q[b, d])
          return (c, scores)
        }
      }
      """;

  private static Tensor normal(long seed, int... shape) {
    SplittableRandom random = new SplittableRandom(seed);
    int n = 1;
    for (int s : shape) n *= s;
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = random.nextGaussian();
    return Tensor.ofDoubles(DType.F32, shape, v);
  }

  private static Map<String, Tensor> inputs(Tensor cache, int pos) {
    return Map.of("cache", cache, "k", normal(2, 2, 1, 3), "q", normal(3, 2, 3), "pos", Tensor.scalar(DType.I32, pos));
  }

  @Test
  void theBackendWritesTheDonatedCacheInPlace() {
    Compilation c = Compilation.compileSource("cache.adj", SOURCE.formatted("donate"));
    var program = c.kernels("Cache.decode", RunOptions.defaults(), false);
    for (int pos : new int[] {0, 4, 9}) {
      Tensor cache = normal(pos, 2, 6, 3);
      List<Tensor> expected = c.run("Cache.decode", RunOptions.defaults(), inputs(cache, pos), Map.of()).outputs();
      List<Tensor> out = JavaBackend.run(program, inputs(cache, pos), Map.of(), 0, 0, 1 + pos % 2);
      assertSame(cache, out.get(0), "the result is the caller's cache tensor, written in place");
      ModelCalls.assertClose("cache at " + pos, expected.get(0), out.get(0), 0);
      ModelCalls.assertClose("scores at " + pos, expected.get(1), out.get(1), 1e-6);
    }
  }

  @Test
  void withoutDonateTheCallersCacheIsLeftAlone() {
    Compilation c = Compilation.compileSource("cache.adj", SOURCE.formatted(""));
    Tensor cache = normal(5, 2, 6, 3);
    Tensor before = Tensor.ofDoubles(DType.F32, new int[] {2, 6, 3}, toDoubles(cache));
    List<Tensor> out = JavaBackend.run(c.kernels("Cache.decode", RunOptions.defaults(), false), inputs(cache, 1), Map.of(),
        0, 0, 1);
    assertNotSame(cache, out.get(0));
    assertEquals(before, cache);
  }

  @Test
  void theModelClassMethodReturnsTheDonatedTensor() throws Exception {
    Compilation c = Compilation.compileSource("cache.adj", SOURCE.formatted("donate"));
    List<JavaFile> files = ModelGenerator.generate(c, "dev.adjoint.generated.donation", RunOptions.defaults());
    Class<?> type = InProcessCompiler.withoutCache(GeneratedEquivalenceTest.werror()).load(files.get(0));
    Object model = type.getConstructor(long.class).newInstance(0L);
    for (int pos : new int[] {3, -1}) {
      Tensor cache = normal(10 + pos, 2, 6, 3);
      Map<String, Tensor> in = inputs(cache, pos);
      List<Tensor> expected = c.run("Cache.decode", RunOptions.defaults(), in, Map.of()).outputs();
      @SuppressWarnings("unchecked")
      List<Tensor> out = (List<Tensor>) ModelCalls.call(model, "decode", cache, in.get("k"), in.get("q"), in.get("pos"));
      assertSame(cache, out.get(0), "the result is the caller's cache tensor, written in place");
      ModelCalls.assertClose("cache at " + pos, expected.get(0), out.get(0), 0);
      ModelCalls.assertClose("scores at " + pos, expected.get(1), out.get(1), 1e-6);
    }
  }

  private static double[] toDoubles(Tensor t) {
    double[] v = new double[t.size()];
    for (int i = 0; i < v.length; i++) v[i] = t.getDouble(i);
    return v;
  }
}
