package dev.adjoint.runtime.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Whole-file reads and all-or-nothing writes for the array file formats. */
final class ArrayFiles {
  /** The largest byte array the JVM reliably allocates. */
  private static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;


  private ArrayFiles() {}

  /** Something that writes a file's whole content to a channel. */
  @FunctionalInterface
  interface ContentWriter {
    void writeTo(FileChannel channel) throws IOException;
  }

  /**
   * All bytes of {@code path}.
   *
   * @throws ArrayFileException if the file is too large to hold in one array
   * @throws UncheckedIOException if it cannot be read; the message names the file
   */
  static byte[] readAll(Path path) {
    String name = path.toString();
    try {
      long length = Files.size(path);
      if (length > MAX_FILE_BYTES) {
        throw new ArrayFileException(name, "file is " + length + " bytes long; files over "
            + MAX_FILE_BYTES + " bytes are not supported");
      }
      return Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("'" + name + "': no such file", e);
    } catch (IOException e) {
      throw new UncheckedIOException("'" + name + "': cannot read the file: " + e, e);
    }
  }

  /**
   * Writes {@code path} so that it holds either its old content or all of the new one, never a
   * part: the content goes to a temporary file in the same folder (so the rename cannot cross file
   * systems), is forced to disk, and is renamed over the target atomically where the file system
   * can, else by a plain replacing move.
   *
   * @throws UncheckedIOException if the file cannot be written; the message names it
   */
  static void writeAtomically(Path path, ContentWriter content) {
    AtomicWrites.write(path, content::writeTo);
  }

}
