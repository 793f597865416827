package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import java.util.List;

/** Converts elements to another type: floats round to nearest, floats to i32 truncate. */
public record Cast(DType to) implements Op {
  @Override
  public TensorType type(List<TensorType> inputs) {
    Op.expectArity("cast", inputs, 1);
    return inputs.get(0).withDtype(to);
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType dtype, int[] shape, EvalContext context) {
    return DArray.of(to, shape, inputs.get(0).toArray());
  }

  /** Cotangents cross a cast between floating types; nothing flows into integers or bools. */
  @Override
  public List<Node> vjp(Node y, Node g, Emitter e) {
    DType from = y.input(0).type().dtype();
    return java.util.Arrays.asList(from.isFloating() && to.isFloating() ? e.cast(g, from) : null);
  }

  @Override
  public String describe() {
    return "cast " + to.name().toLowerCase(java.util.Locale.ROOT);
  }
}
