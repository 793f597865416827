package dev.adjoint.compiler.ast;

import dev.adjoint.compiler.diag.Span;
import java.util.List;
import java.util.Optional;

/** Types as written in signatures: {@code f32[B, T, D]}, {@code f32}, {@code int}, {@code (a, b)}. */
public sealed interface TypeExpr {
  Span span();

  /**
   * An element type with optional dims. {@code dims} is empty for a scalar ({@code f32}) and
   * present for a tensor; each dim is an integer expression or, first only, an {@link
   * Expr.Ellipsis}. The element may also be {@code int} (a compile-time integer argument) or
   * {@code float} (any floating element type, the same one throughout a signature).
   */
  record Tensor(Name element, Optional<List<Expr>> dims, Span span) implements TypeExpr {
    public Tensor {
      dims = dims.map(List::copyOf);
    }
  }

  /** {@code (t1, t2)}: the type of a tuple result. */
  record Tuple(List<TypeExpr> elements, Span span) implements TypeExpr {
    public Tuple {
      elements = List.copyOf(elements);
    }
  }
}
