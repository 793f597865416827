package dev.adjoint.compiler.ast;

import dev.adjoint.compiler.diag.Span;
import java.util.List;
import java.util.Optional;

/** Statements of a function body. */
public sealed interface Stmt {
  Span span();

  /** {@code let x = e} or {@code let x: T = e}. */
  record Let(Name name, Optional<TypeExpr> type, Expr value, Span span) implements Stmt {}

  /** {@code let y[i, j: T] = e}: a tensor defined element by element. */
  record IndexLet(Name name, List<IndexVar> indices, Expr value, Span span) implements Stmt {
    public IndexLet {
      indices = List.copyOf(indices);
    }
  }

  /** {@code i} or {@code i: T} on the left of an index-notation {@code let}. */
  record IndexVar(Name name, Optional<Expr> range, Span span) {}

  /** {@code return e}; a tuple is returned as an {@link Expr.Tuple}. */
  record Return(Expr value, Span span) implements Stmt {}
}
