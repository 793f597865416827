package dev.adjoint.compiler;

/** Bad run-time inputs: a missing or extra argument, a wrong dtype, rank or size, an unknown param. */
public final class InputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InputException(String message) {
    super(message);
  }
}
