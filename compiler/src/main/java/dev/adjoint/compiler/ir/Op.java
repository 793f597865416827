package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import java.util.List;

/**
 * A primitive of the graph IR: its attributes, its shape rule and its interpreter semantics, in
 * one record per primitive. Nodes pair an op with input nodes; equal ops over equal inputs are
 * one node.
 */
public sealed interface Op
    permits Input, Constant, DimSize, Iota, RandomUniform, Unary, Binary, Select, Cast, Broadcast,
        Reshape, Transpose, Slice, Pad, Concat, Reduce, DotGeneral, Gather, ScatterAdd,
        StopGradient, DynamicSlice, UpdateSlice {

  /** The result type for operands of these types; throws {@link ShapeError} when they do not fit. */
  TensorType type(List<TensorType> inputs);

  /** The result for these operand values; {@code shape} is the result's shape at run time. */
  DArray evaluate(List<DArray> inputs, DType dtype, int[] shape, EvalContext context);

  /**
   * The vector–Jacobian product: given the result node and its cotangent {@code g}, the
   * cotangent of each input, or null where an input receives none (it is not differentiable, or
   * the contribution is zero — a symbolic zero that is never materialised).
   */
  List<Node> vjp(Node result, Node g, Emitter e);

  /** The op's name and attributes as printed in IR dumps: {@code reduce_sum axes=[1]}. */
  String describe();

  static void expectArity(String op, List<TensorType> inputs, int n) {
    if (inputs.size() != n) {
      throw new ShapeError(op + " takes " + n + " operand" + (n == 1 ? "" : "s") + ", got " + inputs.size());
    }
  }

  static void expectSameShape(String op, TensorType a, TensorType b) {
    if (!a.shape().equals(b.shape())) {
      throw new ShapeError(op + " needs operands of one shape, got " + a + " and " + b);
    }
  }
}
