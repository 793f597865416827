package dev.adjoint.cli;

/** A mistake in what the user asked for (a file that cannot be read, a bad NAME=PATH). */
final class UserError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UserError(String message) {
    super(message);
  }
}
