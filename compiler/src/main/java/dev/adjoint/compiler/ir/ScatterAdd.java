package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * The transpose of {@link Gather}: {@code updates: [I..., ...]} summed into the rows {@code
 * ids: i32[I...]} of a zero table with {@code rows} rows.
 */
public record ScatterAdd(Dim rows) implements Op {
  @Override
  public TensorType type(List<TensorType> inputs) {
    Op.expectArity("scatter_add", inputs, 2);
    TensorType ids = inputs.get(0);
    TensorType updates = inputs.get(1);
    if (ids.dtype() != DType.I32) throw new ShapeError("scatter_add needs i32 ids, got " + ids);
    int lead = ids.rank();
    if (updates.rank() < lead || !updates.shape().dims().subList(0, lead).equals(ids.shape().dims())) {
      throw new ShapeError("scatter_add updates " + updates + " do not start with the ids' shape " + ids);
    }
    List<Dim> dims = new ArrayList<>();
    dims.add(rows);
    dims.addAll(updates.shape().dims().subList(lead, updates.rank()));
    return new TensorType(updates.dtype(), Shape.of(dims));
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType dtype, int[] out, EvalContext context) {
    DArray ids = inputs.get(0);
    DArray updates = inputs.get(1);
    int row = DArray.sizeOf(out) / Math.max(1, out[0]);
    double[] data = new double[DArray.sizeOf(out)];
    for (int i = 0; i < ids.size(); i++) {
      int id = (int) ids.get(i);
      if (id < 0 || id >= out[0]) {
        throw new IllegalArgumentException("id " + id + " is out of range for a table of " + out[0] + " rows");
      }
      for (int j = 0; j < row; j++) data[id * row + j] += updates.get(i * row + j);
    }
    return DArray.of(dtype, out, data);
  }

  @Override
  public List<Node> vjp(Node y, Node g, Emitter e) {
    return java.util.Arrays.asList(null, e.node(new Gather(), g, y.input(0)));
  }

  @Override
  public String describe() {
    return "scatter_add rows=" + rows;
  }
}
