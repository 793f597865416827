package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import java.util.List;
import java.util.Objects;

/** An argument of the entry point or a param of the model: bound by the caller. */
public record Input(String name, Kind kind, TensorType declared) implements Op {
  public enum Kind {
    ARGUMENT,
    PARAM
  }

  public Input {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(declared, "declared");
  }

  @Override
  public TensorType type(List<TensorType> inputs) {
    Op.expectArity("input", inputs, 0);
    return declared;
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType dtype, int[] shape, EvalContext context) {
    throw new IllegalStateException("inputs are bound by the interpreter, not evaluated");
  }

  @Override
  public List<Node> vjp(Node result, Node g, Emitter e) {
    return List.of();
  }

  @Override
  public String describe() {
    return (kind == Kind.PARAM ? "param " : "input ") + name;
  }
}
