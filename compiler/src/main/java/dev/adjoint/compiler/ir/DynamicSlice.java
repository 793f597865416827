package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code size} consecutive elements along one axis of {@code x}, from a start known at run time
 * (a rank-0 i32 operand). As XLA's {@code dynamic_slice}, the start is clamped to
 * {@code [0, x.dim(axis) - size]}, so the window always lies inside {@code x}.
 */
public record DynamicSlice(int axis, Dim size) implements Op {
  @Override
  public TensorType type(List<TensorType> inputs) {
    Op.expectArity("dynamic_slice", inputs, 2);
    TensorType x = inputs.get(0);
    if (axis < 0 || axis >= x.rank()) throw new ShapeError("dynamic_slice axis " + axis + " out of range for " + x);
    UpdateSlice.checkStart("dynamic_slice", inputs.get(1));
    UpdateSlice.checkWindow("dynamic_slice", size, x.shape().dim(axis), x);
    List<Dim> dims = new ArrayList<>(x.shape().dims());
    dims.set(axis, size);
    return x.withShape(x.shape().withDims(dims));
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType dtype, int[] out, EvalContext context) {
    DArray x = inputs.get(0);
    int begin = UpdateSlice.clampedStart(inputs.get(1), x.dim(axis), out[axis]);
    int[] inStrides = DArray.strides(x.shape());
    double[] data = new double[DArray.sizeOf(out)];
    int[] index = new int[out.length];
    for (int i = 0; i < data.length; i++) {
      int src = 0;
      for (int a = 0; a < out.length; a++) src += (a == axis ? begin + index[a] : index[a]) * inStrides[a];
      data[i] = x.get(src);
      DArray.next(index, out);
    }
    return DArray.of(dtype, out, data);
  }

  /** The cotangent goes back into the window read, zeros elsewhere; the start gets none. */
  @Override
  public List<Node> vjp(Node y, Node g, Emitter e) {
    Node zeros = e.full(0, y.input(0).type());
    return Arrays.asList(e.node(new UpdateSlice(axis), zeros, g, y.input(1)), null);
  }

  @Override
  public String describe() {
    return "dynamic_slice axis=" + axis + " size=" + size;
  }
}
