package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.List;

/** Zeros added before and after the operand along one axis (the transpose of a slice). */
public record Pad(int axis, Dim before, Dim after) implements Op {
  @Override
  public TensorType type(List<TensorType> inputs) {
    Op.expectArity("pad", inputs, 1);
    TensorType x = inputs.get(0);
    if (axis < 0 || axis >= x.rank()) throw new ShapeError("pad axis " + axis + " out of range for " + x);
    List<Dim> dims = new ArrayList<>(x.shape().dims());
    dims.set(axis, before.plus(dims.get(axis)).plus(after));
    return x.withShape(x.shape().withDims(dims));
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType dtype, int[] out, EvalContext context) {
    DArray x = inputs.get(0);
    int offset = Math.toIntExact(before.evaluate(context.sizes()));
    int[] in = x.shape();
    int[] outStrides = DArray.strides(out);
    double[] data = new double[DArray.sizeOf(out)];
    int[] index = new int[in.length];
    for (int i = 0; i < x.size(); i++) {
      int dst = 0;
      for (int a = 0; a < in.length; a++) dst += (a == axis ? index[a] + offset : index[a]) * outStrides[a];
      data[dst] = x.get(i);
      DArray.next(index, in);
    }
    return DArray.of(dtype, out, data);
  }

  @Override
  public List<Node> vjp(Node y, Node g, Emitter e) {
    return List.of(e.node(new Slice(axis, before, y.input(0).type().shape().dim(axis), 1), g));
  }

  @Override
  public String describe() {
    return "pad axis=" + axis + " before=" + before + " after=" + after;
  }
}
