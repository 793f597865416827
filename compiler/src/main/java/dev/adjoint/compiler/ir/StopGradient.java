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

  /** The whole point of the op: no cotangent flows through it. */
  @Override
  public List<Node> vjp(Node result, Node g, Emitter e) {
    return java.util.Arrays.asList((Node) null);
  }

  @Override
  public String describe() {
    return "stop_gradient";
  }
}
