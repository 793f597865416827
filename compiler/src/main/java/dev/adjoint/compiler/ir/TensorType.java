package dev.adjoint.compiler.ir;

import dev.adjoint.runtime.DType;
import java.util.Objects;

/** The type of a graph value: element type and shape. */
public record TensorType(DType dtype, Shape shape) {
  public TensorType {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(shape, "shape");
  }

  public static TensorType scalar(DType dtype) {
    return new TensorType(dtype, Shape.SCALAR);
  }

  public int rank() {
    return shape.rank();
  }

  public TensorType withShape(Shape s) {
    return new TensorType(dtype, s);
  }

  public TensorType withDtype(DType d) {
    return new TensorType(d, shape);
  }

  /** {@code f32[B, T, 64]}; a scalar prints as {@code f32}. */
  @Override
  public String toString() {
    String name = dtype.name().toLowerCase(java.util.Locale.ROOT);
    return shape.rank() == 0 ? name : name + shape;
  }
}
