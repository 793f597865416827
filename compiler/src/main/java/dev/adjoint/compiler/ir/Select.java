package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import java.util.List;

/** {@code where(c, a, b)} on operands of one shape: a where c holds, else b. */
public record Select() implements Op {
  @Override
  public TensorType type(List<TensorType> inputs) {
    Op.expectArity("select", inputs, 3);
    TensorType c = inputs.get(0);
    if (c.dtype() != DType.BOOL) throw new ShapeError("select needs a bool condition, got " + c);
    Op.expectSameShape("select", c, inputs.get(1));
    Op.expectSameShape("select", c, inputs.get(2));
    if (inputs.get(1).dtype() != inputs.get(2).dtype()) {
      throw new ShapeError("select needs branches of one element type, got "
          + inputs.get(1) + " and " + inputs.get(2));
    }
    return inputs.get(1);
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType dtype, int[] shape, EvalContext context) {
    DArray c = inputs.get(0);
    double[] out = new double[c.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = c.get(i) != 0 ? inputs.get(1).get(i) : inputs.get(2).get(i);
    }
    return DArray.of(dtype, shape, out);
  }

  @Override
  public List<Node> vjp(Node y, Node g, Emitter e) {
    Node zero = e.fullLike(0, g);
    return java.util.Arrays.asList(null, e.select(y.input(0), g, zero), e.select(y.input(0), zero, g));
  }

  @Override
  public String describe() {
    return "select";
  }
}
