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
 * computed alongside them at the case's output tolerance. Cases with {@code as_written_*}
 * tolerances run a second time with their types as written, compared at those tolerances (a
 * gradient of an argument declared narrower than f64 is compared at f64).
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
    List<String> failures = compare(golden, run, golden.rtol(), golden.atol(), golden.gradRtol(), golden.gradAtol(), false);
    if (golden.asWritten().isPresent()) {
      GoldenCase.Tolerance tolerance = golden.asWritten().get();
      GradientRun asWritten = compilation.gradient(golden.entry(), RunOptions.defaults().withDims(golden.dims()),
          golden.inputsAsDeclared(GoldenTest.declaredTypes(compilation, golden)), golden.params(), golden.cotangent());
      failures.addAll(compare(golden, asWritten, tolerance.rtol(), tolerance.atol(), tolerance.rtol(), tolerance.atol(), true));
    }
    if (!failures.isEmpty()) {
      fail(golden + ", entry " + golden.entry() + (golden.cotangent().isPresent() ? ", cotangent.npy" : "")
          + ":\n  " + String.join("\n  ", failures));
    }
  }

  private static List<String> compare(GoldenCase golden, GradientRun run, double rtol, double atol, double gradRtol,
      double gradAtol, boolean asWritten) {
    String label = asWritten ? " (as written)" : "";
    // Every float argument and param has a gradient, and the golden has each (or skips it on purpose).
    Set<String> expectedNames = new TreeSet<>(golden.gradients().keySet());
    expectedNames.addAll(golden.gradSkip());
    assertEquals(expectedNames, new TreeSet<>(run.gradients().keySet()),
        golden + ": gradients of " + golden.entry() + " (golden grad files plus grad_skip)");

    List<String> failures = new ArrayList<>(
        GoldenTest.compareOutputs(golden, run.outputs(), rtol, atol, asWritten, " (of the gradient run" + label + ")"));
    for (var entry : golden.gradients().entrySet()) {
      Tensor actual = run.gradients().get(entry.getKey());
      if (asWritten && actual.dtype().isFloating()) actual = actual.cast(entry.getValue().dtype());
      Optional<String> mismatch = TensorComparison.compare(entry.getValue(), actual, gradRtol, gradAtol);
      mismatch.ifPresent(m -> failures.add("gradient of " + entry.getKey() + label + ": " + m));
    }
    return failures;
  }
}
