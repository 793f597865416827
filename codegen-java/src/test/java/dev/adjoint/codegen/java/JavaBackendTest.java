package dev.adjoint.codegen.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.codegen.java.GoldenPrograms.Lowered;
import dev.adjoint.codegen.java.GoldenPrograms.Mode;
import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JavaBackendTest {
  private static final Lowered ATTENTION = GoldenPrograms.lower(
      GoldenCase.load(GoldenPrograms.goldenFolder("example_index_attention")), Mode.forward(Optional.empty()));

  @Test
  void runTakesSizesFromTheInputsAndComputesWhatTheInterpreterComputes() {
    List<Tensor> out = JavaBackend.run(ATTENTION.program(), ATTENTION.tensors(), Map.of(), 0, 0, 2);
    List<DArray> expected = ATTENTION.interpret();
    assertEquals(expected.size(), out.size());
    // The interpreter's bits where f32 products round as it rounds them; within the f32 tolerance
    // where they are fused (and exp is ExpF32's polynomial).
    for (int i = 0; i < out.size(); i++) {
      if (dev.adjoint.runtime.exec.gemm.GemmF32.fusesMultiplyAdd()) {
        assertEquals(Optional.empty(), GoldenPrograms.compare(expected.get(i), out.get(i), 1e-5));
      } else {
        assertTrue(GoldenPrograms.identical(expected.get(i), out.get(i)));
      }
    }
    assertEquals(DType.F32, out.get(0).dtype());
  }

  /** Timing instruments the run, not the kernels: each kernel recorded once per run, the same results. */
  @Test
  void aTimedProgramRecordsEveryKernelOncePerRunAndComputesTheSame() {
    JavaBackend.Prepared timed = JavaBackend.compile(ATTENTION.program(), JavaBackend.compiler(),
        new Instrumentation(false, true));
    dev.adjoint.runtime.exec.KernelTimes times = new dev.adjoint.runtime.exec.KernelTimes(
        ATTENTION.program().kernels().size());
    var context = new dev.adjoint.runtime.exec.RunContext(0, 0, JavaBackend.pool(2), times);
    List<Tensor> out = null;
    for (int run = 0; run < 3; run++) out = timed.run(ATTENTION.tensors(), Map.of(), context);
    assertEquals(JavaBackend.run(ATTENTION.program(), ATTENTION.tensors(), Map.of(), 0, 0, 2), out);
    for (int k = 0; k < times.kernels(); k++) {
      assertEquals(3, times.calls(k), "kernel " + k);
      assertTrue(times.nanos(k) >= 0);
    }
    String source = JavaGenerator.generate(ATTENTION.program(), "p", "Timed", new Instrumentation(false, true)).toString();
    assertTrue(source.contains("    long clock = System.nanoTime();\n"), source);
    assertTrue(source.contains("    clock = context.timed(0, clock);\n"), source);
    assertTrue(!JavaGenerator.generate(ATTENTION.program(), "p", "Plain").toString().contains("nanoTime"));
  }

  @Test
  void inputsAreLeftAsTheyWere() {
    Map<String, Tensor> copies = new LinkedHashMap<>();
    ATTENTION.tensors().forEach((name, t) -> copies.put(name, Tensor.ofFloats(t.shapeArray(), t.floatData())));
    JavaBackend.run(ATTENTION.program(), ATTENTION.tensors(), Map.of(), 0, 0, 1);
    assertEquals(copies, ATTENTION.tensors());
  }

  /** A buffer past the limit of one tensor is named, with the kernel and source line that write it. */
  @Test
  void aBufferTooLargeForOneTensorIsRefusedBeforeAllocating() {
    var c = dev.adjoint.compiler.Compilation.compileSource("outer.adj",
        "dim N\nfn main(x: f32[N]) -> f32[N, N] = unsqueeze(x, 1) * unsqueeze(x, 0)\n");
    var program = c.kernels("main", dev.adjoint.compiler.RunOptions.defaults(), false);
    Map<String, Tensor> x = Map.of("x", Tensor.ofFloats(new int[] {50_000}, new float[50_000]));
    var e = assertThrows(IllegalArgumentException.class, () -> JavaBackend.run(program, x, Map.of(), 0, 0, 1));
    assertEquals("buffer 'out' f32[N, N] (written by " + program.kernels().getLast().name() + ": outer.adj:2) would be "
        + "[50000, 50000], 2500000000 elements: more than 2147483647, the most one tensor can hold", e.getMessage());
  }

  @Test
  void badInputsAreNamed() {
    Map<String, Tensor> inputs = new LinkedHashMap<>(ATTENTION.tensors());
    Tensor q = inputs.remove("q");
    assertMessage("no value for argument 'q' (f32[B, 2, T, 8])", inputs);

    inputs.put("q", q);
    inputs.put("nope", q);
    assertMessage("program index_attention has no argument or param 'nope'; it has [q, k, v]", inputs);

    inputs.remove("nope");
    inputs.put("q", q.cast(DType.F64));
    assertMessage("argument 'q' must be f32, got f64", inputs);

    int[] shape = q.shapeArray();
    shape[3] = 7;
    inputs.put("q", Tensor.zeros(DType.F32, shape));
    assertMessage("'q' axis 3 has size 7, expected 8 = 8", inputs);
  }

  private static void assertMessage(String expected, Map<String, Tensor> inputs) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> JavaBackend.run(ATTENTION.program(), inputs, Map.of(), 0, 0, 1));
    assertEquals(expected, e.getMessage());
  }

  @Test
  void theThreadPoolIsShared() {
    assertTrue(JavaBackend.pool(3) == JavaBackend.pool(3));
    assertEquals(1, JavaBackend.pool(1).threads());
    assertThrows(IllegalArgumentException.class, () -> JavaBackend.pool(0));
  }
}
