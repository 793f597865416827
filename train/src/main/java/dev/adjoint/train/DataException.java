package dev.adjoint.train;

/**
 * Training or decoding data that cannot be used as given: an empty file, a line without a tab, a
 * token the vocabulary does not have, a batch larger than the data. The message is for the person
 * running the command: it names the file (and line) where there is one and says what is wrong, so
 * the command prints it as it is, without a stack trace.
 */
public final class DataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
