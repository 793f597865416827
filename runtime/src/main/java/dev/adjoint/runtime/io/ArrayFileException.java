package dev.adjoint.runtime.io;

import java.util.Objects;

/**
 * An array file ({@code .npy} or {@code .safetensors}) that cannot be read or written as asked. The
 * message starts with the quoted file name and says what is wrong, e.g.
 * {@code 'x.npy': header says shape (2, 3) of <f4 (24 bytes) but only 20 bytes of data follow}.
 */
public final class ArrayFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String sourceName;
  private final String problem;

  /**
   * An exception whose message is {@code 'sourceName': problem}.
   *
   * @param sourceName the file name (or other name of the bytes) as the user knows it
   * @param problem what is wrong, without the file name
   */
  public ArrayFileException(String sourceName, String problem) {
    this(sourceName, problem, null);
  }

  /** As {@link #ArrayFileException(String, String)}, keeping the exception that revealed the problem. */
  public ArrayFileException(String sourceName, String problem, Throwable cause) {
    super("'" + Objects.requireNonNull(sourceName, "sourceName") + "': "
        + Objects.requireNonNull(problem, "problem"), cause);
    this.sourceName = sourceName;
    this.problem = problem;
  }

  /** The name of the file the problem is in. */
  public String sourceName() {
    return sourceName;
  }

  /** What is wrong, without the file name. */
  public String problem() {
    return problem;
  }
}
