package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.List;

/** Rows of {@code table: [V, ...]} picked by {@code ids: i32[I...]}, giving {@code [I..., ...]}. */
public record Gather() implements Op {
  @Override
  public TensorType type(List<TensorType> inputs) {
    Op.expectArity("gather", inputs, 2);
    TensorType table = inputs.get(0);
    TensorType ids = inputs.get(1);
    if (ids.dtype() != DType.I32) throw new ShapeError("gather needs i32 ids, got " + ids);
    if (table.rank() < 1) throw new ShapeError("gather needs a table with rows, got " + table);
    List<Dim> dims = new ArrayList<>(ids.shape().dims());
    dims.addAll(table.shape().dims().subList(1, table.rank()));
    return new TensorType(table.dtype(), Shape.of(dims));
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType dtype, int[] out, EvalContext context) {
    DArray table = inputs.get(0);
    DArray ids = inputs.get(1);
    int rows = table.dim(0);
    int row = rows == 0 ? 0 : table.size() / rows;
    double[] data = new double[ids.size() * row];
    for (int i = 0; i < ids.size(); i++) {
      int id = (int) ids.get(i);
      if (id < 0 || id >= rows) {
        throw new IllegalArgumentException("id " + id + " is out of range for a table of " + rows + " rows");
      }
      for (int j = 0; j < row; j++) data[i * row + j] = table.get(id * row + j);
    }
    return DArray.of(dtype, out, data);
  }

  /** Rows picked are rows summed into: a scatter-add of the cotangent. */
  @Override
  public List<Node> vjp(Node y, Node g, Emitter e) {
    Node table = y.input(0);
    return java.util.Arrays.asList(e.node(new ScatterAdd(table.type().shape().dim(0)), y.input(1), g), null);
  }

  @Override
  public String describe() {
    return "gather";
  }
}
