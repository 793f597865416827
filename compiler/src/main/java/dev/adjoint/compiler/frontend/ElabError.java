package dev.adjoint.compiler.frontend;

import dev.adjoint.compiler.diag.Span;

/** An error in the program found while elaborating one statement; reported, then skipped. */
final class ElabError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final transient Span span;

  ElabError(Span span, String message) {
    super(message, null, false, false);
    this.span = span;
  }
}
