package dev.adjoint.compiler.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.compiler.Compilation;
import dev.adjoint.compiler.GradCheck;
import dev.adjoint.compiler.RunOptions;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.compiler.kernel.KernelPrinter;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The places a unary function touches in the compiler, checked for every {@link Unary.Fn}: a new
 * one that misses a place fails here with a message naming it. The places are its record in
 * {@code ir/Unary.java} (semantics {@link Unary.Fn#apply}, which the graph interpreter, the kernel
 * interpreter and constant folding all call; its type rule; its derivative in {@code vjp}), its
 * name in the language ({@code frontend/Intrinsics.java}, for the functions that are not
 * operators), and one spelling table per backend ({@code JavaLanguage.unary},
 * {@code CudaLanguage.unary}: their tests, {@code JavaLanguageTest} and {@code CudaLanguageTest},
 * enumerate {@link Unary.Fn} the same way). See docs/architecture.md, "Adding a function".
 */
class UnaryFunctionPlacesTest {
  private static final double[] VALUES = {0.25, 0.5, 0.75, 1.5};

  @ParameterizedTest
  @EnumSource(Unary.Fn.class)
  void everyUnaryFunctionHasItsNameSemanticsAndDerivative(Unary.Fn fn) {
    if (fn == Unary.Fn.NOT) {
      assertEquals(1.0, fn.apply(0.0), "ir/Unary.java: not's semantics");
      assertEquals(0.0, fn.apply(1.0), "ir/Unary.java: not's semantics");
      return;
    }
    String call = fn == Unary.Fn.NEG ? "-x" : fn.opName() + "(x)";
    Compilation c;
    try {
      c = Compilation.compileSource(fn.opName() + ".adj", "fn main(x: f64[4]) -> f64[4] = " + call + " * x\n");
    } catch (RuntimeException e) {
      throw new AssertionError(fn + ": '" + call + "' does not compile: give it its name in frontend/Intrinsics.java ("
          + e.getMessage() + ")", e);
    }
    Map<String, Tensor> inputs = Map.of("x", Tensor.ofDoubles(DType.F64, new int[] {4}, VALUES));
    Tensor graph = c.run("main", RunOptions.defaults(), inputs, Map.of()).outputs().get(0);
    Tensor kernels = c.runFused("main", RunOptions.defaults(), inputs, Map.of()).outputs().get(0);
    for (int i = 0; i < VALUES.length; i++) {
      double expected = fn.apply(VALUES[i]) * VALUES[i];
      assertEquals(expected, graph.getDouble(i), 0, fn + ": the graph interpreter at " + VALUES[i]);
      assertEquals(expected, kernels.getDouble(i), 0, fn + ": the kernel interpreter at " + VALUES[i]);
    }
    GradCheck.Report report = GradCheck.check(c, "main", inputs, Map.of(), 1, 1e-6);
    if (!report.passes(1e-6)) fail(fn + ": the derivative in ir/Unary.java's vjp disagrees with finite differences: " + report);
    // The kernel IR prints it by its name.
    String printed = KernelPrinter.expr(new KExpr.Unary(fn, new KExpr.Var("x", DType.F32)));
    assertTrue(printed.contains(fn == Unary.Fn.NEG ? "-x" : fn.opName() + "(x)"), printed);
  }
}
