package dev.adjoint.train;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** The element type and shape a tensor must have: what a checkpoint is checked against. */
public record TensorSpec(DType dtype, List<Integer> shape) {
  public TensorSpec {
    Objects.requireNonNull(dtype, "dtype");
    shape = List.copyOf(shape);
  }

  public static TensorSpec of(Tensor t) {
    return new TensorSpec(t.dtype(), t.shape());
  }

  /** The specs of some tensors, by name, in the same order. */
  public static Map<String, TensorSpec> of(Map<String, Tensor> tensors) {
    Map<String, TensorSpec> out = new LinkedHashMap<>();
    tensors.forEach((k, v) -> out.put(k, of(v)));
    return out;
  }

  public boolean matches(Tensor t) {
    return t.dtype() == dtype && t.shape().equals(shape);
  }

  /** {@code f32[4, 16]}, as the language writes types. */
  @Override
  public String toString() {
    return describe(dtype, shape);
  }

  static String describe(DType dtype, List<Integer> shape) {
    String d = dtype.name().toLowerCase(Locale.ROOT);
    return shape.isEmpty() ? d : d + shape;
  }
}
