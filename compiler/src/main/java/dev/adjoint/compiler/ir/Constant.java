package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import java.util.List;

/** A scalar constant; tensors of one value are a constant broadcast. */
public record Constant(double value, DType dtype) implements Op {
  public Constant {
    // Canonical -0.0 vs 0.0 and NaN bit patterns keep interning predictable.
    value = DArray.round(dtype, value);
  }

  @Override
  public TensorType type(List<TensorType> inputs) {
    Op.expectArity("constant", inputs, 0);
    return TensorType.scalar(dtype);
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType d, int[] shape, EvalContext context) {
    return DArray.filled(d, shape, value);
  }

  @Override
  public List<Node> vjp(Node result, Node g, Emitter e) {
    return List.of();
  }

  @Override
  public String describe() {
    return "constant " + format(value);
  }

  static String format(double v) {
    if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }
}
