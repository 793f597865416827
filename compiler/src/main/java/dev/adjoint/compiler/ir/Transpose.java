package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.List;

/** Permutes axes: result axis {@code i} is operand axis {@code permutation[i]}. */
public record Transpose(List<Integer> permutation) implements Op {
  public Transpose {
    permutation = List.copyOf(permutation);
    boolean[] seen = new boolean[permutation.size()];
    for (int p : permutation) {
      if (p < 0 || p >= seen.length || seen[p]) {
        throw new ShapeError("not a permutation: " + permutation);
      }
      seen[p] = true;
    }
  }

  /** The permutation that undoes this one. */
  public List<Integer> inverse() {
    Integer[] inv = new Integer[permutation.size()];
    for (int i = 0; i < inv.length; i++) inv[permutation.get(i)] = i;
    return List.of(inv);
  }

  @Override
  public TensorType type(List<TensorType> inputs) {
    Op.expectArity("transpose", inputs, 1);
    TensorType x = inputs.get(0);
    if (x.rank() != permutation.size()) {
      throw new ShapeError("permutation " + permutation + " does not fit " + x);
    }
    List<Dim> dims = new ArrayList<>();
    for (int p : permutation) dims.add(x.shape().dim(p));
    return x.withShape(x.shape().withDims(dims));
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType dtype, int[] out, EvalContext context) {
    DArray x = inputs.get(0);
    int[] inStrides = DArray.strides(x.shape());
    int[] stride = new int[out.length];
    for (int i = 0; i < out.length; i++) stride[i] = inStrides[permutation.get(i)];
    double[] data = new double[x.size()];
    int[] index = new int[out.length];
    for (int i = 0; i < data.length; i++) {
      int src = 0;
      for (int a = 0; a < out.length; a++) src += index[a] * stride[a];
      data[i] = x.get(src);
      DArray.next(index, out);
    }
    return DArray.of(dtype, out, data);
  }

  @Override
  public List<Node> vjp(Node y, Node g, Emitter e) {
    return List.of(e.transpose(g, inverse()));
  }

  @Override
  public String describe() {
    return "transpose " + permutation;
  }
}
