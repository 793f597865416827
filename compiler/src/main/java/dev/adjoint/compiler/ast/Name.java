package dev.adjoint.compiler.ast;

import dev.adjoint.compiler.diag.Span;
import java.util.Objects;

/** An identifier as written, with where it was written. */
public record Name(String text, Span span) {
  public Name {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(span, "span");
  }

  @Override
  public String toString() {
    return text;
  }
}
