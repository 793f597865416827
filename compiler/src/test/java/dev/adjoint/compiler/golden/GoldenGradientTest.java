package dev.adjoint.compiler.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.GradientRun;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.diag.CompileException;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs {@link Compilation#gradient} in f64 for every case under {@code goldens/} that has
 * {@code grad_*.npy} files, and compares every gradient with what PyTorch's autograd computed
 * (tools/reference/, see its README): a single non-scalar output is seeded with the case's
 * {@code cotangent.npy}, a scalar with 1 and a tuple with ones. Gradients are compared at
 * rtol 1e-9, atol 1e-10 unless the case sets {@code grad_rtol} / {@code grad_atol}; the outputs
 * computed alongside them at the case's output tolerance.
 */
class GoldenGradientTest {

  static Stream<Arguments> cases() {
    return GoldenTest.casesWhere(folder -> GoldenCase.load(folder).hasGradients(),
        "golden cases with gradients");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradientsMatchPyTorch(String name, Path folder) {
    GoldenCase golden = GoldenCase.load(folder);

    Compilation compilation;
    try {
      compilation = Compilation.compile(golden.program());
    } catch (CompileException e) {
      fail(golden + ": program.adj does not compile:\n" + e.getMessage());
      return;
    }
    RunOptions options = RunOptions.defaults().withDtype(DType.F64).withDims(golden.dims());
    GradientRun run = compilation.gradient(golden.entry(), options, golden.inputs(), golden.params(),
        golden.cotangent());

    // Every float argument and param has a gradient, and the golden has each (or skips it on purpose).
    Set<String> expectedNames = new TreeSet<>(golden.gradients().keySet());
    expectedNames.addAll(golden.gradSkip());
    assertEquals(expectedNames, new TreeSet<>(run.gradients().keySet()),
        golden + ": gradients of " + golden.entry() + " (golden grad files plus grad_skip)");

    List<String> failures = new ArrayList<>();
    assertEquals(golden.outputs().size(), run.outputs().size(), golden + ": number of results of " + golden.entry());
    for (int i = 0; i < golden.outputs().size(); i++) {
      Optional<String> mismatch = TensorComparison.compare(
          golden.outputs().get(i), run.outputs().get(i), golden.rtol(), golden.atol());
      String label = golden.outputs().size() == 1 ? "output" : "output_" + i;
      mismatch.ifPresent(m -> failures.add(label + " (of the gradient run): " + m));
    }
    for (var entry : golden.gradients().entrySet()) {
      Tensor actual = run.gradients().get(entry.getKey());
      Optional<String> mismatch = TensorComparison.compare(entry.getValue(), actual, golden.gradRtol(), golden.gradAtol());
      mismatch.ifPresent(m -> failures.add("gradient of " + entry.getKey() + ": " + m));
    }
    if (!failures.isEmpty()) {
      fail(golden + ", entry " + golden.entry() + (golden.cotangent().isPresent() ? ", cotangent.npy" : "")
          + ":\n  " + String.join("\n  ", failures));
    }
  }
}
