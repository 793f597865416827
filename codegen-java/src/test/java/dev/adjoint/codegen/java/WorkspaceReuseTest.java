package dev.adjoint.codegen.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.codegen.java.GoldenPrograms.Lowered;
import dev.adjoint.runtime.Tensor;
import dev.adjoint.runtime.exec.Workspace;
import dev.adjoint.runtime.exec.WorkspacePool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs of a prepared program reuse the arrays of earlier runs ({@link Workspace}), so generated
 * kernels must compute the same bits whatever those arrays hold: every program of the equivalence
 * suite (every kind of kernel the golden cases lower to — row and column-split kernels, blocked
 * products and their epilogues, scalar loops — in f64, f32, bf16 and training mode) runs once,
 * has its kept arrays filled with NaN, infinities and huge values, runs again on other inputs,
 * and must equal, bit for bit, a run of those inputs on fresh arrays.
 */
class WorkspaceReuseTest {
  static Stream<Lowered> programs() {
    return GeneratedEquivalenceTest.programs();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("programs")
  void aRunOnPoisonedReusedArraysEqualsARunOnFreshOnes(Lowered p) {
    JavaBackend.Prepared compiled = GeneratedEquivalenceTest.prepared(p);
    Map<String, Tensor> other = otherInputs(p.tensors(), new SplittableRandom(p.label().hashCode()));
    for (int threads : new int[] {1, 3}) {
      compiled.releaseWorkspaces();
      compiled.run(p.tensors(), p.sizes(), p.mode().seed(), p.mode().step(), threads);
      assertEquals(1, compiled.workspaces().idleCount(), "the run gave its workspace back");
      compiled.workspaces().poisonIdle();
      List<Tensor> reused = compiled.run(other, p.sizes(), p.mode().seed(), p.mode().step(), threads);
      compiled.releaseWorkspaces();
      List<Tensor> fresh = compiled.run(other, p.sizes(), p.mode().seed(), p.mode().step(), threads);
      assertEquals(fresh, reused, "on " + threads + " threads");
    }
  }

  /** The same inputs each scaled by a factor in [0.75, 1.25]: other values, of the same signs. */
  static Map<String, Tensor> otherInputs(Map<String, Tensor> inputs, SplittableRandom random) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    inputs.forEach((name, t) -> {
      if (!t.dtype().isFloating()) {
        out.put(name, t);
        return;
      }
      double[] values = t.toDoubles();
      for (int i = 0; i < values.length; i++) values[i] *= random.nextDouble(0.75, 1.25);
      out.put(name, Tensor.ofDoubles(t.dtype(), t.shapeArray(), values));
    });
    return out;
  }

  private static Lowered program(String label) {
    return programs().filter(x -> x.label().equals(label)).findFirst().orElseThrow();
  }

  /** Sizes that change reallocate the arrays; sizes that come back reuse the new ones. */
  @Test
  void runsAtOtherSizesGetArraysOfTheirSizes() {
    Lowered p = program("example_encoder_layer gradient declared");
    JavaBackend.Prepared compiled = GeneratedEquivalenceTest.prepared(p);
    compiled.releaseWorkspaces();
    List<Long> kept = new ArrayList<>();
    for (long t : new long[] {37, 5, 37}) {
      Map<String, Long> sizes = Map.of("B", 3L, "T", t);
      Map<String, Tensor> inputs = randomInputs(p, sizes, new SplittableRandom(t));
      List<Tensor> reused = compiled.run(inputs, sizes, 0, 0, 2);
      kept.add(compiled.workspaces().retainedBytes());
      compiled.releaseWorkspaces();
      assertEquals(compiled.run(inputs, sizes, 0, 0, 2), reused, "T = " + t);
      compiled.workspaces().poisonIdle();
    }
    assertTrue(kept.get(1) < kept.get(0), "smaller arrays at T = 5: " + kept);
    assertEquals(kept.get(0), kept.get(2), "arrays of the same sizes again at T = 37");
  }

  /** Runs under way at once on one prepared program each write their own arrays. */
  @Test
  void concurrentRunsOfOneProgramComputeWhatRunsOneAtATimeDo() throws Exception {
    Lowered p = program("example_encoder_layer gradient declared");
    JavaBackend.Prepared compiled = GeneratedEquivalenceTest.prepared(p);
    compiled.releaseWorkspaces();
    Map<String, Long> sizes = Map.of("B", 2L, "T", 16L);
    int callers = 4;
    List<Map<String, Tensor>> inputs = new ArrayList<>();
    List<List<Tensor>> expected = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      inputs.add(randomInputs(p, sizes, new SplittableRandom(100 + i)));
      expected.add(compiled.run(inputs.get(i), sizes, 0, 0, 1));
    }
    ExecutorService executor = Executors.newFixedThreadPool(callers);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        int caller = i;
        results.add(executor.submit(() -> {
          start.await();
          boolean same = true;
          for (int round = 0; round < 10; round++) {
            same &= compiled.run(inputs.get(caller), sizes, 0, 0, 1).equals(expected.get(caller));
          }
          return same;
        }));
      }
      start.countDown();
      for (int i = 0; i < callers; i++) assertTrue(results.get(i).get(60, TimeUnit.SECONDS), "caller " + i);
    } finally {
      executor.shutdownNow();
    }
    assertTrue(compiled.workspaces().idleCount() <= callers);
  }

  @Test
  void aRunTakesTheWorkspaceTheLastRunGaveBack() {
    Lowered p = program("nn_layer_norm forward declared");
    JavaBackend.Prepared compiled = GeneratedEquivalenceTest.prepared(p);
    compiled.releaseWorkspaces();
    compiled.run(p.tensors(), p.sizes(), 0, 0, 1);
    WorkspacePool pool = compiled.workspaces();
    Workspace kept = pool.take();
    pool.give(kept);
    compiled.run(p.tensors(), p.sizes(), 0, 0, 1);
    Workspace again = pool.take();
    assertSame(kept, again);
    pool.give(again);
    compiled.releaseWorkspaces();
    assertEquals(0, pool.idleCount());
    Workspace fresh = pool.take();
    assertNotSame(kept, fresh);
  }

  private static Map<String, Tensor> randomInputs(Lowered p, Map<String, Long> sizes, SplittableRandom random) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    List<dev.adjoint.compiler.kernel.Buffer> inputs = new ArrayList<>(p.program().arguments());
    inputs.addAll(p.program().params());
    for (var b : inputs) {
      int[] shape = b.type().shape().evaluate(sizes);
      double[] data = new double[java.util.Arrays.stream(shape).reduce(1, (x, y) -> x * y)];
      for (int i = 0; i < data.length; i++) data[i] = random.nextDouble(-1, 1);
      out.put(b.name(), Tensor.ofDoubles(b.type().dtype(), shape, data));
    }
    return out;
  }
}
