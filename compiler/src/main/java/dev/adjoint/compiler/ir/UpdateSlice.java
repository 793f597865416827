package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import java.util.Arrays;
import java.util.List;

/**
 * {@code target} with {@code value} written over the window of {@code value.dim(axis)} elements
 * that starts, along {@code axis}, at a position known at run time (a rank-0 i32 operand). As
 * XLA's {@code dynamic_update_slice}, the start is clamped to
 * {@code [0, target.dim(axis) - value.dim(axis)]}: the whole of {@code value} is always written.
 * When the target is a donated argument the result takes the argument's buffer (see
 * docs/language.md, "In-place state").
 */
public record UpdateSlice(int axis) implements Op {
  @Override
  public TensorType type(List<TensorType> inputs) {
    Op.expectArity("update_slice", inputs, 3);
    TensorType target = inputs.get(0);
    TensorType value = inputs.get(1);
    if (axis < 0 || axis >= target.rank()) throw new ShapeError("update_slice axis " + axis + " out of range for " + target);
    if (value.rank() != target.rank() || value.dtype() != target.dtype()) {
      throw new ShapeError("update_slice needs a value of the target's rank and element type, got " + value
          + " for " + target);
    }
    for (int a = 0; a < target.rank(); a++) {
      if (a != axis && !value.shape().dim(a).equals(target.shape().dim(a))) {
        throw new ShapeError("update_slice needs a value of the target's shape outside axis " + axis + ", got " + value
            + " for " + target);
      }
    }
    checkStart("update_slice", inputs.get(2));
    checkWindow("update_slice", value.shape().dim(axis), target.shape().dim(axis), target);
    return target;
  }

  static void checkStart(String op, TensorType start) {
    if (start.dtype() != DType.I32 || start.rank() != 0) throw new ShapeError(op + " needs an i32 scalar start, got " + start);
  }

  /** The window must fit at every size: the same size, or two constants, the window's no larger. */
  static void checkWindow(String op, Dim window, Dim extent, TensorType of) {
    boolean fits = window.equals(extent)
        || window.isConstant() && extent.isConstant() && window.constant() <= extent.constant();
    if (window.isConstant() && window.constant() < 0 || !fits) {
      throw new ShapeError(op + " window of " + window + " elements does not fit in " + extent + " of " + of);
    }
  }

  /** The start of the window at run time: the operand's value clamped so the window lies inside. */
  static int clampedStart(DArray start, int extent, int window) {
    long s = (long) start.get(0);
    return (int) Math.max(0, Math.min(s, (long) extent - window));
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType dtype, int[] out, EvalContext context) {
    DArray target = inputs.get(0);
    DArray value = inputs.get(1);
    int[] in = value.shape();
    int begin = clampedStart(inputs.get(2), out[axis], in[axis]);
    double[] data = new double[DArray.sizeOf(out)];
    for (int i = 0; i < data.length; i++) data[i] = target.get(i);
    int[] outStrides = DArray.strides(out);
    int[] index = new int[in.length];
    for (int i = 0; i < value.size(); i++) {
      int dst = 0;
      for (int a = 0; a < in.length; a++) dst += (a == axis ? begin + index[a] : index[a]) * outStrides[a];
      data[dst] = value.get(i);
      DArray.next(index, in);
    }
    return DArray.of(dtype, out, data);
  }

  /**
   * The target's cotangent is {@code g} with the written window zeroed (those elements were
   * replaced); the value's is the window of {@code g}; the start, an integer, gets none.
   */
  @Override
  public List<Node> vjp(Node y, Node g, Emitter e) {
    Node value = y.input(1);
    Node start = y.input(2);
    Node zeros = e.full(0, g.type().withShape(value.type().shape()));
    Node target = e.node(new UpdateSlice(axis), g, zeros, start);
    Node window = e.node(new DynamicSlice(axis, value.type().shape().dim(axis)), g, start);
    return Arrays.asList(target, window, null);
  }

  @Override
  public String describe() {
    return "update_slice axis=" + axis;
  }
}
