package dev.adjoint.compiler.ir;

/**
 * A primitive applied to operands its shape rule rejects. The front end checks user programs
 * before building nodes, so this reaching a user means a compiler bug or a malformed graph.
 */
public final class ShapeError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ShapeError(String message) {
    super(message);
  }
}
