package dev.adjoint.compiler.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.GradientRun;
import dev.adjoint.compiler.Interpreters;
import dev.adjoint.compiler.Run;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.runtime.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden case — every prelude function, builtin and example — through the fused kernels and
 * the kernel-IR interpreter, against the graph interpreter: outputs and, where the case has
 * gradients, every gradient, f64 to 1e-12 relative. The kernels run with their structure and
 * flattened to loops, which must agree bit for bit.
 */
class FusedEquivalenceTest {
  private static final double TOLERANCE = 1e-12;

  static Stream<Arguments> cases() throws Exception {
    Path root = Path.of(FusedEquivalenceTest.class.getResource("/goldens").toURI());
    List<Arguments> all = new ArrayList<>();
    try (Stream<Path> folders = Files.list(root)) {
      for (Path f : folders.filter(Files::isDirectory).sorted().toList()) all.add(Arguments.of(f.getFileName().toString(), f));
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void fusedKernelsAgreeWithTheGraph(String name, Path folder) {
    GoldenCase golden = GoldenCase.load(folder);
    Compilation c = Compilation.compile(golden.program());
    RunOptions options = RunOptions.defaults().withDtype(golden.dtype()).withDims(golden.dims());
    Run graph = c.run(golden.entry(), options, golden.inputs(), golden.params());
    Run fused = c.runFused(golden.entry(), options, golden.inputs(), golden.params());
    assertEquals(graph.outputs().size(), fused.outputs().size());
    for (int i = 0; i < graph.outputs().size(); i++) same(name + " output " + i, graph.outputs().get(i), fused.outputs().get(i));
    Run flat = c.run(golden.entry(), options, golden.inputs(), golden.params(), Interpreters.FLATTENED);
    assertEquals(fused.outputs(), flat.outputs(), name + ": the flattened kernels' outputs are not the structured kernels' bits");
    if (!golden.hasGradients()) return;
    GradientRun g = c.gradient(golden.entry(), options, golden.inputs(), golden.params(), golden.cotangent());
    GradientRun f = c.gradientFused(golden.entry(), options, golden.inputs(), golden.params(), golden.cotangent());
    for (var e : g.gradients().entrySet()) same(name + " gradient of " + e.getKey(), e.getValue(), f.gradients().get(e.getKey()));
    GradientRun fl = c.gradient(golden.entry(), options, golden.inputs(), golden.params(), golden.cotangent(),
        Interpreters.FLATTENED);
    assertEquals(f.gradients(), fl.gradients(), name + ": the flattened kernels' gradients are not the structured kernels' bits");
  }

  /**
   * Training mode: dropout draws the same Philox numbers in the fused kernels as in the graph, so
   * outputs and gradients agree to rounding (a single different mask element would not).
   */
  @ParameterizedTest(name = "{0} with dropout")
  @MethodSource("trainingCases")
  void dropoutMasksAreTheSameFusedAndUnfused(String name, Path folder) {
    GoldenCase golden = GoldenCase.load(folder);
    Compilation c = Compilation.compile(golden.program());
    RunOptions options = RunOptions.defaults().withDtype(golden.dtype()).withDims(golden.dims()).withTraining(true).withSeed(7);
    Run graph = c.run(golden.entry(), options, golden.inputs(), golden.params());
    Run fused = c.runFused(golden.entry(), options, golden.inputs(), golden.params());
    for (int i = 0; i < graph.outputs().size(); i++) same(name + " output " + i, graph.outputs().get(i), fused.outputs().get(i));
    assertEquals(fused.outputs(), c.run(golden.entry(), options, golden.inputs(), golden.params(), Interpreters.FLATTENED)
        .outputs(), name + ": the flattened kernels draw other masks");
    Run eval = c.run(golden.entry(), options.withTraining(false), golden.inputs(), golden.params());
    org.junit.jupiter.api.Assertions.assertNotEquals(eval.outputs().get(0), graph.outputs().get(0), "dropout changed nothing");
    GradientRun g = c.gradient(golden.entry(), options, golden.inputs(), golden.params(), golden.cotangent());
    GradientRun f = c.gradientFused(golden.entry(), options, golden.inputs(), golden.params(), golden.cotangent());
    for (var e : g.gradients().entrySet()) same(name + " gradient of " + e.getKey(), e.getValue(), f.gradients().get(e.getKey()));
  }

  static Stream<Arguments> trainingCases() throws Exception {
    return cases().filter(a -> List.of("example_encoder_layer", "example_decoder_layer", "example_transformer_loss",
        "nn_feed_forward").contains((String) a.get()[0]));
  }

  private static void same(String what, Tensor expected, Tensor actual) {
    TensorComparison.compare(expected, actual, TOLERANCE, TOLERANCE).ifPresent(problem -> fail(what + ": " + problem));
  }
}
