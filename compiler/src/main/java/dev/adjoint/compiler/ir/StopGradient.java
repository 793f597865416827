package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import java.util.List;

/** The identity, whose derivative is zero; removed once gradients have been derived. */
public record StopGradient() implements Op {
  @Override
  public TensorType type(List<TensorType> inputs) {
    Op.expectArity("stop_gradient", inputs, 1);
    return inputs.get(0);
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType dtype, int[] shape, EvalContext context) {
    return inputs.get(0);
  }

  @Override
  public String describe() {
    return "stop_gradient";
  }
}
