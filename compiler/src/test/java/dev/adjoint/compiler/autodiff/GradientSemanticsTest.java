package dev.adjoint.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.GradCheck;
import dev.adjoint.compiler.GradientRun;
import dev.adjoint.compiler.InputException;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What gets differentiated, and how: stop_gradient, dropout masks, ties, and wrong use. */
class GradientSemanticsTest {
  private static final RunOptions F64 = RunOptions.defaults().withDtype(DType.F64);

  private static Tensor vector(double... v) {
    return Tensor.ofDoubles(DType.F64, new int[] {v.length}, v);
  }

  private static GradientRun grad(String source, Map<String, Tensor> inputs, RunOptions options, Optional<Tensor> cotangent) {
    return Compilation.compileSource("t.adj", source).gradient("main", options, inputs, Map.of(), cotangent);
  }

  @Test
  void stopGradientContributesNothing() {
    // d/dx sum(x * stop_gradient(x)) = stop_gradient(x) = x, not 2x.
    GradientRun g = grad("fn main(x: f64[3]) -> f64 = sum(x * stop_gradient(x))", Map.of("x", vector(1, -2, 3)), F64, Optional.empty());
    assertEquals(vector(1, -2, 3), g.gradients().get("x"));
  }

  @Test
  void reluHasDerivativeZeroAtZero() {
    GradientRun g = grad("fn main(x: f64[3]) -> f64 = sum(relu(x))", Map.of("x", vector(-1, 0, 2)), F64, Optional.empty());
    assertEquals(vector(0, 0, 1), g.gradients().get("x"));
  }

  @Test
  void maxReductionTiesShareTheCotangent() {
    GradientRun g = grad("fn main(x: f64[4]) -> f64 = max(x)", Map.of("x", vector(3, 1, 3, 3)), F64, Optional.empty());
    assertEquals(vector(1.0 / 3, 0, 1.0 / 3, 1.0 / 3), g.gradients().get("x"));
  }

  @Test
  void maximumTieGoesToTheSecondOperand() {
    GradientRun g = grad("fn main(a: f64[2], b: f64[2]) -> f64 = sum(maximum(a, b))",
        Map.of("a", vector(1, 2), "b", vector(1, 0)), F64, Optional.empty());
    assertEquals(vector(0, 1), g.gradients().get("a"));
    assertEquals(vector(1, 0), g.gradients().get("b"));
  }

  @Test
  void dropoutGradientUsesTheForwardMask() {
    // With cotangent ones, d dropout(x)/dx is the kept mask / (1 - p): 2 where the output kept x, 0 elsewhere.
    double[] x = new double[64];
    for (int i = 0; i < x.length; i++) x[i] = 1 + i;
    GradientRun g = grad("dim N\nfn main(x: f64[N]) -> f64[N] = dropout(x, 0.5)", Map.of("x", vector(x)),
        F64.withTraining(true).withSeed(42), Optional.empty());
    Tensor y = g.outputs().get(0);
    Tensor dx = g.gradients().get("x");
    int kept = 0;
    for (int i = 0; i < x.length; i++) {
      boolean keptHere = y.getDouble(i) != 0;
      assertEquals(keptHere ? 2.0 : 0.0, dx.getDouble(i), "element " + i);
      if (keptHere) {
        assertEquals(2 * x[i], y.getDouble(i));
        kept++;
      }
    }
    assertTrue(kept > 16 && kept < 48, "about half kept, got " + kept);
  }

  @Test
  void dropoutPassesFiniteDifferencesInTraining() {
    Compilation c = Compilation.compileSource("t.adj", "dim N\nfn main(x: f64[N]) -> f64 = sum(dropout(x, 0.3) * x)");
    double[] x = new double[16];
    for (int i = 0; i < x.length; i++) x[i] = Math.sin(i);
    GradCheck.Report r = GradCheck.check(c, "main", Map.of("x", vector(x)), Map.of(), RunOptions.defaults().withTraining(true), 1e-6);
    assertTrue(r.passes(1e-6), r.checks().toString());
  }

  @Test
  void integerOutputHasNoGradient() {
    GradientException e = assertThrows(GradientException.class, () -> grad("fn main(x: f64[3]) -> i32[3] = cast(x, i32)",
        Map.of("x", vector(1, 2, 3)), F64, Optional.empty()));
    assertEquals("cannot differentiate main: its output is i32[3], and only floating-point outputs have gradients", e.getMessage());
  }

  @Test
  void cotangentOfTheWrongShapeIsRefused() {
    InputException e = assertThrows(InputException.class, () -> grad("dim N\nfn main(x: f64[N]) -> f64[N] = x * x",
        Map.of("x", vector(1, 2, 3)), F64, Optional.of(vector(1, 2))));
    assertEquals("cotangent has shape [2], but the output is f64[N] = [3]", e.getMessage());
  }

  @Test
  void integerInputsGetNoGradientEntry() {
    GradientRun g = grad("fn main(x: f64[3], ids: i32[2]) -> f64 = sum(gather(x, ids))",
        Map.of("x", vector(1, 2, 3), "ids", Tensor.ofInts(new int[] {2}, new int[] {2, 2})), F64, Optional.empty());
    assertEquals(java.util.Set.of("x"), g.gradients().keySet());
    assertEquals(vector(0, 0, 2), g.gradients().get("x"));
  }

  @Test
  void cotangentSeedsANonScalarOutput() {
    GradientRun g = grad("fn main(x: f64[3]) -> f64[3] = x * x", Map.of("x", vector(1, 2, 3)), F64, Optional.of(vector(1, 0, -1)));
    assertEquals(vector(2, 0, -6), g.gradients().get("x"));
  }
}
