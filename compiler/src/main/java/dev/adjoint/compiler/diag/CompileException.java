package dev.adjoint.compiler.diag;

import java.util.Objects;

/** Thrown when a compilation ends with errors; carries all of them, already collected. */
public final class CompileException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient Diagnostics diagnostics;

  public CompileException(Diagnostics diagnostics) {
    super(Objects.requireNonNull(diagnostics, "diagnostics").render().stripTrailing());
    this.diagnostics = diagnostics;
  }

  public Diagnostics diagnostics() {
    return diagnostics;
  }
}
