package dev.adjoint.compiler.kernel;

import dev.adjoint.compiler.ir.TensorType;
import java.util.Objects;

/**
 * A tensor in memory between kernels: a graph input, a result, or an intermediate. {@code id} is
 * unique within a {@link KernelProgram}; the memory planner maps intermediates to storage.
 */
public record Buffer(int id, String name, TensorType type, Role role) {
  public enum Role {
    /** An argument of the entry point. */
    ARGUMENT,
    /** A param of the model. */
    PARAM,
    /** A result of the entry point. */
    OUTPUT,
    /** Written by one kernel, read by later ones, dead afterwards. */
    TEMPORARY
  }

  public Buffer {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(role, "role");
  }

  @Override
  public String toString() {
    return name;
  }
}
