package dev.adjoint.train;

import java.nio.file.Path;

/**
 * A checkpoint that cannot be used: missing, truncated, corrupted (its checksum does not match),
 * or not the model's. The message starts with the file's name and says what is wrong, e.g.
 * {@code 'run/checkpoint.safetensors': checksum mismatch: the tensor data is corrupted}.
 */
public final class CheckpointException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String file;

  public CheckpointException(Path file, String problem) {
    this(file, problem, null);
  }

  public CheckpointException(Path file, String problem, Throwable cause) {
    super("'" + file + "': " + problem, cause);
    this.file = file.toString();
  }

  /** The file the problem is in. */
  public String file() {
    return file;
  }
}
