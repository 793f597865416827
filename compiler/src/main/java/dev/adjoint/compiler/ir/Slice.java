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

  /**
   * The cotangent goes back to the positions read, zeros elsewhere: a pad, and for a stride
   * {@code s > 1} each element first gets {@code s - 1} zeros after it.
   */
  @Override
  public List<Node> vjp(Node y, Node g, Emitter e) {
    TensorType in = y.input(0).type();
    Node spread = g;
    Dim covered = size;
    if (stride > 1) {
      List<Dim> withLane = new ArrayList<>(g.type().shape().dims());
      withLane.add(axis + 1, Dim.of(1));
      Node lane = e.reshape(g, Shape.of(withLane));
      List<Dim> zeroDims = new ArrayList<>(withLane);
      zeroDims.set(axis + 1, Dim.of(stride - 1));
      Node zeros = e.full(0, new TensorType(g.type().dtype(), Shape.of(zeroDims)));
      Node interleaved = e.node(new Concat(axis + 1), lane, zeros);
      List<Dim> flat = new ArrayList<>(g.type().shape().dims());
      flat.set(axis, size.times(Dim.of(stride)));
      Node spaced = e.reshape(interleaved, Shape.of(flat));
      covered = size.minus(Dim.of(1)).times(Dim.of(stride)).plus(Dim.of(1));
      spread = e.node(new Slice(axis, Dim.of(0), covered, 1), spaced);
    }
    Dim after = in.shape().dim(axis).minus(start).minus(covered);
    return List.of(e.node(new Pad(axis, start, after), spread));
  }

  @Override
  public String describe() {
    return "slice axis=" + axis + " start=" + start + " size=" + size + (stride == 1 ? "" : " stride=" + stride);
  }
}
