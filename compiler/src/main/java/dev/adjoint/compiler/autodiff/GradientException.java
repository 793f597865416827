package dev.adjoint.compiler.autodiff;

/** A gradient was asked of something that has none: an integer output, an integer input. */
public final class GradientException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public GradientException(String message) {
    super(message);
  }
}
