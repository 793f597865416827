package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import java.util.List;

/** An i32 tensor whose every element is its own index along {@code axis}: arange, index values. */
public record Iota(Shape shape, int axis) implements Op {
  public Iota {
    if (axis < 0 || axis >= shape.rank()) {
      throw new ShapeError("iota axis " + axis + " out of range for " + shape);
    }
  }

  @Override
  public TensorType type(List<TensorType> inputs) {
    Op.expectArity("iota", inputs, 0);
    return new TensorType(DType.I32, shape);
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType dtype, int[] sizes, EvalContext context) {
    double[] out = new double[DArray.sizeOf(sizes)];
    int[] strides = DArray.strides(sizes);
    for (int i = 0; i < out.length; i++) out[i] = (i / strides[axis]) % sizes[axis];
    return DArray.of(dtype, sizes, out);
  }

  @Override
  public List<Node> vjp(Node result, Node g, Emitter e) {
    return List.of();
  }

  @Override
  public String describe() {
    return "iota axis=" + axis + " " + shape;
  }
}
