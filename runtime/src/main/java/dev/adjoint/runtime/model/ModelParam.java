package dev.adjoint.runtime.model;

import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.init.ParamInitializer;
import dev.adjoint.runtime.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * A param as its model declares it: full name ({@code encoder.self_attn.wq}), element type,
 * shape, and initializer with its constant arguments ({@code normal(0, 0.02)} is
 * {@code "normal"} with {@code [0.0, 0.02]}).
 */
public record ModelParam(String name, DType dtype, List<Integer> shape, String initializer, List<Double> arguments) {
  public ModelParam {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(initializer, "initializer");
    shape = List.copyOf(shape);
    arguments = List.copyOf(arguments);
    for (int s : shape) {
      if (s < 0) throw new IllegalArgumentException("param '" + name + "' has a negative dimension in " + shape);
    }
  }

  /** The shape as an array. */
  public int[] shapeArray() {
    return shape.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The type as the language writes it: {@code f32[16, 32]}. */
  public String typeText() {
    return dtype.languageName() + shape;
  }

  /**
   * The initial value for {@code seed}: the same bits the compiler's initialisers give for
   * {@code --seed seed}.
   */
  public Tensor initialValue(long seed) {
    int[] dims = shapeArray();
    return Tensor.ofDoubles(dtype, dims, ParamInitializer.initialize(name, initializer, arguments, dims, seed));
  }
}
