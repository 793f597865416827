package dev.adjoint.compiler.kernel;

import dev.adjoint.runtime.DType;
import java.util.Objects;

/**
 * One axis of an iteration domain: a loop variable running over {@code [0, extent)}. The
 * structured statements ({@link KStmt.Map}, {@link KStmt.Reduce}, …) name their domains as lists of
 * axes, outermost first; {@link Flatten} turns each axis into a {@link KStmt.Loop}.
 */
public record Axis(String var, KExpr extent) {
  public Axis {
    Objects.requireNonNull(var, "var");
    Objects.requireNonNull(extent, "extent");
    if (var.isEmpty()) throw new IllegalArgumentException("an axis needs a variable name");
    if (extent.dtype() != DType.I32) {
      throw new IllegalArgumentException("the extent of axis " + var + " must be i32, is " + extent.dtype());
    }
  }

  /** The axis variable as an expression. */
  public KExpr.Var index() {
    return new KExpr.Var(var, DType.I32);
  }

  @Override
  public String toString() {
    return var + " in 0.." + KernelPrinter.expr(extent);
  }
}
