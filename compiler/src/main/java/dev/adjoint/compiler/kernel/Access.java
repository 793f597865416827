package dev.adjoint.compiler.kernel;

import java.util.Objects;

/**
 * A read of {@code buffer} at an affine index of the loop variables: where an operand of a
 * {@link KStmt.Contraction} or the row of a {@link KStmt.WeightedRow} comes from.
 */
public record Access(Buffer buffer, IndexMap index) {
  public Access {
    Objects.requireNonNull(buffer, "buffer");
    Objects.requireNonNull(index, "index");
  }

  @Override
  public String toString() {
    return buffer.name() + "[" + index + "]";
  }
}
