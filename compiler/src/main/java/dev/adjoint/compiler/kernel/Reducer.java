package dev.adjoint.compiler.kernel;

import dev.adjoint.compiler.ir.Binary;
import dev.adjoint.compiler.ir.Reduce;
import dev.adjoint.runtime.DType;

/**
 * How a {@link KStmt.Reduce} folds its values into its accumulator: {@code acc = combine(acc, v)},
 * starting from {@link #identity}.
 */
public enum Reducer {
  SUM(Binary.Fn.ADD, 0),
  PROD(Binary.Fn.MUL, 1),
  MAX(Binary.Fn.MAX, Double.NEGATIVE_INFINITY),
  MIN(Binary.Fn.MIN, Double.POSITIVE_INFINITY);

  private final Binary.Fn combine;
  private final double identity;

  Reducer(Binary.Fn combine, double identity) {
    this.combine = combine;
    this.identity = identity;
  }

  /** The reducer of a graph reduction. */
  public static Reducer of(Reduce.Fn fn) {
    return switch (fn) {
      case SUM -> SUM;
      case PROD -> PROD;
      case MAX -> MAX;
      case MIN -> MIN;
    };
  }

  /** The binary operation that folds one value in. */
  public Binary.Fn combine() {
    return combine;
  }

  /** The value an accumulator starts from, at {@code dtype}. */
  public KExpr.Const identity(DType dtype) {
    return new KExpr.Const(identity, dtype);
  }

  /** {@code combine(acc, value)} as an expression: what one step of the reduction assigns. */
  public KExpr step(KExpr acc, KExpr value) {
    return new KExpr.Binary(combine, acc, value);
  }

  /** The printed name: {@code sum}, {@code prod}, {@code max}, {@code min}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
