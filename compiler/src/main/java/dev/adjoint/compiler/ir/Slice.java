package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.List;

/** Elements {@code start, start+stride, …} ({@code size} of them) along one axis. */
public record Slice(int axis, Dim start, Dim size, int stride) implements Op {
  public Slice {
    if (stride < 1) throw new ShapeError("slice stride must be positive, got " + stride);
  }

  @Override
  public TensorType type(List<TensorType> inputs) {
    Op.expectArity("slice", inputs, 1);
    TensorType x = inputs.get(0);
    if (axis < 0 || axis >= x.rank()) throw new ShapeError("slice axis " + axis + " out of range for " + x);
    List<Dim> dims = new ArrayList<>(x.shape().dims());
    dims.set(axis, size);
    return x.withShape(x.shape().withDims(dims));
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType dtype, int[] out, EvalContext context) {
    DArray x = inputs.get(0);
    int begin = Math.toIntExact(start.evaluate(context.sizes()));
    int last = begin + (out[axis] - 1) * stride;
    if (out[axis] > 0 && (begin < 0 || last >= x.dim(axis))) {
      throw new IllegalArgumentException("slice [" + begin + ", " + (last + 1) + ") of axis " + axis
          + " is outside its " + x.dim(axis) + " elements");
    }
    int[] inStrides = DArray.strides(x.shape());
    double[] data = new double[DArray.sizeOf(out)];
    int[] index = new int[out.length];
    for (int i = 0; i < data.length; i++) {
      int src = 0;
      for (int a = 0; a < out.length; a++) {
        int at = a == axis ? begin + index[a] * stride : index[a];
        src += at * inStrides[a];
      }
      data[i] = x.get(src);
      DArray.next(index, out);
    }
    return DArray.of(dtype, out, data);
  }

  @Override
  public String describe() {
    return "slice axis=" + axis + " start=" + start + " size=" + size + (stride == 1 ? "" : " stride=" + stride);
  }
}
