package dev.adjoint.compiler.lower;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.compiler.interp.Interpreter;
import dev.adjoint.compiler.kernel.Buffer;
import dev.adjoint.compiler.kernel.KernelInterpreter;
import dev.adjoint.compiler.kernel.KernelProgram;
import dev.adjoint.compiler.pipeline.Artifacts;
import dev.adjoint.compiler.pipeline.Pipeline;
import dev.adjoint.compiler.pipeline.Stage;
import dev.adjoint.runtime.DType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code cache: donate T} (docs/language.md, "In-place state"): a result written over a donated
 * argument by update_slice takes the argument's buffer, so the kernels write into the caller's
 * cache and no copy of it is made; the values are those of the graph interpreter.
 */
class DonationTest {
  private static final String STEP = """
      fn step(cache: %s f64[2, 6, 3], k: f64[2, 1, 3], q: f64[2, 3], pos: i32) -> (f64[2, 6, 3], f64[2, 6]) {
        let c = update_slice(cache, k * 2.0, 1, pos)
        let scores[b, t] = sum[d](c[b, t, d] * q[b, d])
        return (c, scores)
      }
      """;

  private static Artifacts step(boolean donate) {
    Compilation c = Compilation.compileSource("step.adj", STEP.formatted(donate ? "donate" : ""));
    return Pipeline.forward().verifying(true).elaborate(c, "step", RunOptions.defaults().withDtype(DType.F64))
        .through(Stage.SCHEDULE);
  }

  @Test
  void theUpdatedCacheIsWrittenIntoTheDonatedArgumentsBuffer() {
    KernelProgram program = step(true).kernels();
    Buffer cache = program.arguments().get(0);
    assertEquals("cache", cache.name());
    assertSame(cache, program.outputs().get(0), "the result is the argument's buffer: no copy of the cache");
    assertEquals(1, program.kernels().stream().filter(k -> k.writes().contains(cache)).count());
    assertEquals("step: arguments cache, k, q, pos; outputs cache, out1", header(program));
    assertEquals("graph step(cache: donate f64[2, 6, 3], k: f64[2, 1, 3], q: f64[2, 3], pos: i32)",
        step(true).print(Stage.ELABORATE).lines().findFirst().orElseThrow().replaceAll(" -> .*", ""));
  }

  @Test
  void withoutDonateTheResultHasItsOwnBuffer() {
    KernelProgram program = step(false).kernels();
    assertNotSame(program.arguments().get(0), program.outputs().get(0));
    assertEquals("step: arguments cache, k, q, pos; outputs out0, out1", header(program));
  }

  @Test
  void inPlaceKernelsComputeWhatTheGraphInterpreterDoes() {
    Artifacts donated = step(true);
    Random random = new Random(19);
    for (int pos : new int[] {0, 3, 5, 6, 40, -2}) {
      Map<String, DArray> in = new HashMap<>();
      in.put("cache", normal(random, 2, 6, 3));
      in.put("k", normal(random, 2, 1, 3));
      in.put("q", normal(random, 2, 3));
      in.put("pos", DArray.of(DType.I32, new int[0], new double[] {pos}));
      EvalContext context = new EvalContext(Map.of(), 0, 0);
      List<DArray> expected = Interpreter.run(donated.elaborated(), in, context);
      List<DArray> actual = KernelInterpreter.outputs(donated.kernels(), in, context);
      for (int i = 0; i < 2; i++) {
        assertArrayEquals(expected.get(i).toArray(), actual.get(i).toArray(), 0, "result " + i + " at pos " + pos);
      }
    }
  }

  private static String header(KernelProgram p) {
    return p.name() + ": arguments " + String.join(", ", p.arguments().stream().map(Buffer::name).toList())
        + "; outputs " + String.join(", ", p.outputs().stream().map(Buffer::name).toList());
  }

  private static DArray normal(Random random, int... shape) {
    double[] v = new double[DArray.sizeOf(shape)];
    for (int i = 0; i < v.length; i++) v[i] = random.nextGaussian();
    return DArray.of(DType.F64, shape, v);
  }
}
