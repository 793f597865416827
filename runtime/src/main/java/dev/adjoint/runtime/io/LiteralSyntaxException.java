package dev.adjoint.runtime.io;

/** A text that does not follow the literal syntax a header parser expects, with where it went wrong. */
class LiteralSyntaxException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String reason;
  private final int offset;

  LiteralSyntaxException(String reason, int offset) {
    super(reason + " at character " + offset);
    this.reason = reason;
    this.offset = offset;
  }

  /** What was wrong, without the position. */
  String reason() {
    return reason;
  }

  /** The 0-based character offset in the text where the problem was found. */
  int offset() {
    return offset;
  }
}
