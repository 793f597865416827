package dev.adjoint.compiler.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.GradientRun;
import dev.adjoint.compiler.Interpreters;
import dev.adjoint.compiler.Run;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.diag.CompileException;
import dev.adjoint.runtime.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The differential check: a generated program must compile, and the graph interpreter (the oracle)
 * and the fused kernels under the kernel-IR interpreter must agree on its outputs and gradients,
 * in f64 to 1e-9; the fused kernels with their structure and flattened to loops (what the emitters
 * print) must agree bit for bit.
 *
 * <p>The generated Java is checked against the fused kernels bit for bit on these same random
 * programs (at ragged sizes, under every CPU target's schedule) by codegen-java's
 * GeneratedJavaProgramsTest and GeneratedJavaFuzzTest (that module depends on this one, through
 * this module's test-jar, not the other way round), so graph = fused kernels here and fused kernels
 * = Java there cover the backend; CUDA joins the same way.
 */
final class Differential {
  private static final double TOLERANCE = 1e-9;

  private Differential() {}

  static void differential(ProgramGenerator.Generated g, RunOptions options) {
    Compilation c;
    try {
      c = Compilation.compileSource("generated.adj", g.source());
    } catch (CompileException e) {
      fail("a generated program does not compile:\n" + g.source() + "\n" + e.diagnostics().render());
      return;
    }
    Run graph = c.run(g.entry(), options, g.inputs(), Map.of());
    Run fused;
    try {
      fused = c.runFused(g.entry(), options, g.inputs(), Map.of());
    } catch (RuntimeException e) {
      throw new AssertionError("the fused kernels failed: " + e.getMessage() + "\n" + g.source(), e);
    }
    compare(g, "output", graph.outputs(), fused.outputs());
    Run flat = c.run(g.entry(), options, g.inputs(), Map.of(), Interpreters.FLATTENED);
    assertEquals(fused.outputs(), flat.outputs(), "the flattened kernels' outputs differ in bits\n" + g.source());
    GradientRun dGraph = c.gradient(g.entry(), options, g.inputs(), graph.params(), Optional.empty());
    GradientRun dFused;
    try {
      dFused = c.gradientFused(g.entry(), options, g.inputs(), graph.params(), Optional.empty());
    } catch (RuntimeException e) {
      throw new AssertionError("the fused gradient kernels failed: " + e.getMessage() + "\n" + g.source(), e);
    }
    compare(g, "output (gradient run)", dGraph.outputs(), dFused.outputs());
    GradientRun dFlat = c.gradient(g.entry(), options, g.inputs(), graph.params(), Optional.empty(), Interpreters.FLATTENED);
    assertEquals(dFused.gradients(), dFlat.gradients(), "the flattened gradient kernels differ in bits\n" + g.source());
    assertEquals(dGraph.gradients().keySet(), dFused.gradients().keySet());
    for (String name : dGraph.gradients().keySet()) {
      compare(g, "gradient of " + name, List.of(dGraph.gradients().get(name)), List.of(dFused.gradients().get(name)));
    }
  }

  private static void compare(ProgramGenerator.Generated g, String what, List<Tensor> expected, List<Tensor> actual) {
    assertEquals(expected.size(), actual.size(), what + " count");
    for (int i = 0; i < expected.size(); i++) {
      String problem = Fuzzing.difference(expected.get(i), actual.get(i), TOLERANCE);
      if (problem != null) fail(what + " " + i + " differs between the graph and the fused kernels: " + problem + "\n" + g.source());
    }
  }
}
