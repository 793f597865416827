package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import java.util.List;

/** The same elements in C order under another shape with as many elements. */
public record Reshape(Shape shape) implements Op {
  @Override
  public TensorType type(List<TensorType> inputs) {
    Op.expectArity("reshape", inputs, 1);
    TensorType x = inputs.get(0);
    if (!x.shape().elementCount().equals(shape.elementCount())) {
      throw new ShapeError("cannot reshape " + x + " (" + x.shape().elementCount()
          + " elements) to " + shape + " (" + shape.elementCount() + " elements)");
    }
    return x.withShape(shape);
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType dtype, int[] out, EvalContext context) {
    return DArray.of(dtype, out, inputs.get(0).toArray());
  }

  @Override
  public List<Node> vjp(Node y, Node g, Emitter e) {
    return List.of(e.reshape(g, y.input(0).type().shape()));
  }

  @Override
  public String describe() {
    return "reshape " + shape;
  }
}
