package dev.adjoint.compiler.interp;

/** Evaluation failed on these inputs (an id out of range, an integer division by zero). */
public final class EvaluationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EvaluationException(String message) {
    super(message);
  }
}
