package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import java.util.List;

/** A run-time size used as a value ({@code x / T} with {@code dim T}): a scalar. */
public record DimSize(Dim dim, DType dtype) implements Op {
  @Override
  public TensorType type(List<TensorType> inputs) {
    Op.expectArity("dim_size", inputs, 0);
    return TensorType.scalar(dtype);
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType d, int[] shape, EvalContext context) {
    return DArray.filled(d, shape, dim.evaluate(context.sizes()));
  }

  @Override
  public List<Node> vjp(Node result, Node g, Emitter e) {
    return List.of();
  }

  @Override
  public String describe() {
    return "dim_size " + dim;
  }
}
