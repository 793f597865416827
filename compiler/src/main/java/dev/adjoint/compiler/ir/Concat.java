package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.List;

/** Operands joined along one axis; all other dims and the element type agree. */
public record Concat(int axis) implements Op {
  @Override
  public TensorType type(List<TensorType> inputs) {
    if (inputs.isEmpty()) throw new ShapeError("concat needs at least one operand");
    TensorType first = inputs.get(0);
    if (axis < 0 || axis >= first.rank()) throw new ShapeError("concat axis " + axis + " out of range for " + first);
    Dim total = Dim.of(0);
    for (TensorType t : inputs) {
      if (t.rank() != first.rank() || t.dtype() != first.dtype()) {
        throw new ShapeError("cannot concatenate " + first + " and " + t);
      }
      for (int a = 0; a < t.rank(); a++) {
        if (a != axis && !t.shape().dim(a).equals(first.shape().dim(a))) {
          throw new ShapeError("cannot concatenate " + first + " and " + t + " along axis " + axis);
        }
      }
      total = total.plus(t.shape().dim(axis));
    }
    List<Dim> dims = new ArrayList<>(first.shape().dims());
    dims.set(axis, total);
    return first.withShape(first.shape().withDims(dims));
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType dtype, int[] out, EvalContext context) {
    int[] outStrides = DArray.strides(out);
    double[] data = new double[DArray.sizeOf(out)];
    int offset = 0;
    for (DArray x : inputs) {
      int[] in = x.shape();
      int[] index = new int[in.length];
      for (int i = 0; i < x.size(); i++) {
        int dst = 0;
        for (int a = 0; a < in.length; a++) dst += (a == axis ? index[a] + offset : index[a]) * outStrides[a];
        data[dst] = x.get(i);
        DArray.next(index, in);
      }
      offset += in[axis];
    }
    return DArray.of(dtype, out, data);
  }

  @Override
  public List<Node> vjp(Node y, Node g, Emitter e) {
    List<Node> out = new ArrayList<>();
    Dim offset = Dim.of(0);
    for (Node in : y.inputs()) {
      Dim size = in.type().shape().dim(axis);
      out.add(e.node(new Slice(axis, offset, size, 1), g));
      offset = offset.plus(size);
    }
    return out;
  }

  @Override
  public String describe() {
    return "concat axis=" + axis;
  }
}
