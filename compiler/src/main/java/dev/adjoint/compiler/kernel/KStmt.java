package dev.adjoint.compiler.kernel;

import dev.adjoint.runtime.DType;
import java.util.List;
import java.util.Objects;

/** Statements of the kernel IR: loops, local values and accumulators, stores. */
public sealed interface KStmt {
  /**
   * {@code for var in [0, extent)}. {@code parallel} says the iterations are independent (no two
   * write the same element and none reads what another writes), so a schedule may run them on
   * different threads; an {@link Accumulate} inside is then an atomic add.
   */
  record Loop(String var, KExpr extent, boolean parallel, List<KStmt> body) implements KStmt {
    public Loop {
      Objects.requireNonNull(var, "var");
      body = List.copyOf(body);
    }
  }

  /** An immutable local: {@code let var = value}. */
  record Let(String var, KExpr value) implements KStmt {}

  /** A mutable scalar, for accumulators: {@code var name = init}. */
  record Declare(String var, DType dtype, KExpr init) implements KStmt {}

  /** {@code name = value} for a {@link Declare}d scalar. */
  record Assign(String var, KExpr value) implements KStmt {}

  /** A local array of {@code length} elements, each {@code init}: one accumulator per output column. */
  record DeclareArray(String var, DType dtype, KExpr length, KExpr init) implements KStmt {}

  /** {@code array[index] = value}. */
  record AssignElement(String array, KExpr index, KExpr value) implements KStmt {}

  /** {@code buffer[index] = value}. */
  record Store(Buffer buffer, KExpr index, KExpr value) implements KStmt {}

  /**
   * {@code buffer[index] += value}, into a buffer the kernel zeroes first: reductions over the
   * kernel's own parallel axis (a column sum inside a row kernel), scatter-adds.
   */
  record Accumulate(Buffer buffer, KExpr index, KExpr value) implements KStmt {}
}
