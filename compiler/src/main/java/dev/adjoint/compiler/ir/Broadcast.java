package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import java.util.List;

/**
 * Places the operand's axes at {@code axes} of a larger shape and repeats it along the others
 * (JAX's broadcast_in_dim). An operand axis of size 1 may also stretch to any size.
 */
public record Broadcast(Shape shape, List<Integer> axes) implements Op {
  public Broadcast {
    axes = List.copyOf(axes);
  }

  @Override
  public TensorType type(List<TensorType> inputs) {
    Op.expectArity("broadcast", inputs, 1);
    TensorType x = inputs.get(0);
    if (x.rank() != axes.size()) {
      throw new ShapeError("broadcast of " + x + " names " + axes.size() + " axes");
    }
    for (int k = 0; k < axes.size(); k++) {
      int a = axes.get(k);
      if (a < 0 || a >= shape.rank() || (k > 0 && a <= axes.get(k - 1))) {
        throw new ShapeError("broadcast axes " + axes + " do not fit " + shape);
      }
      Dim in = x.shape().dim(k);
      if (!in.equals(shape.dim(a)) && !in.equals(Dim.of(1))) {
        throw new ShapeError("cannot broadcast " + x + " to " + shape);
      }
    }
    return new TensorType(x.dtype(), shape);
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType dtype, int[] out, EvalContext context) {
    DArray x = inputs.get(0);
    int[] inStrides = DArray.strides(x.shape());
    int[] stride = new int[out.length];
    for (int k = 0; k < axes.size(); k++) {
      stride[axes.get(k)] = x.dim(k) == 1 ? 0 : inStrides[k];
    }
    double[] data = new double[DArray.sizeOf(out)];
    int[] index = new int[out.length];
    for (int i = 0; i < data.length; i++) {
      int src = 0;
      for (int a = 0; a < out.length; a++) src += index[a] * stride[a];
      data[i] = x.get(src);
      DArray.next(index, out);
    }
    return DArray.of(dtype, out, data);
  }

  /** Unbroadcasting: sum over the added axes and over the size-1 axes that were stretched. */
  @Override
  public List<Node> vjp(Node y, Node g, Emitter e) {
    Shape in = y.input(0).type().shape();
    List<Integer> summed = new java.util.ArrayList<>();
    for (int a = 0; a < shape.rank(); a++) {
      int k = axes.indexOf(a);
      if (k < 0 || (!in.dim(k).equals(shape.dim(a)))) summed.add(a);
    }
    Node s = e.reduce(Reduce.Fn.SUM, g, summed);
    return List.of(e.reshape(s, in));
  }

  @Override
  public String describe() {
    return "broadcast " + shape + " axes=" + axes;
  }
}
