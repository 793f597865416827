package dev.adjoint.runtime.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * All-or-nothing file writes, for every file Adjoint writes (arrays, params, checkpoints, plots,
 * generated sources): the content goes to a temporary file beside the target, is forced to disk
 * and renamed over it, so a crash leaves the old file or the new one, never a part. The temporary
 * is made with a plain create, not {@code Files.createTempFile}, which would make it owner-only
 * (0600) and the rename would carry that over to the result.
 */
public final class AtomicWrites {
  private static final AtomicLong COUNTER = new AtomicLong();

  /** Writes a file's content to a channel. */
  @FunctionalInterface
  public interface Content {
    void writeTo(FileChannel channel) throws IOException;

    static Content of(byte[] bytes) {
      return channel -> {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) channel.write(buffer);
      };
    }
  }

  private AtomicWrites() {}

  /**
   * Replaces {@code path} with {@code bytes}.
   *
   * @throws UncheckedIOException naming the file if it cannot be written
   */
  public static void write(Path path, byte[] bytes) {
    write(path, Content.of(bytes));
  }

  /** Replaces {@code path} with what {@code content} writes. */
  public static void write(Path path, Content content) {
    SequencedMap<Path, Content> one = new LinkedHashMap<>();
    one.put(path, content);
    writeAll(one);
  }

  /**
   * Replaces several files: every temporary file is written and forced to disk first, then they
   * are renamed in the map's order, so the files change together up to a few renames apart.
   *
   * @throws UncheckedIOException naming the file that cannot be written; no target has changed
   *     if the failure is in the writing
   */
  public static void writeAll(SequencedMap<Path, Content> files) {
    Map<Path, Path> temps = new LinkedHashMap<>();
    Path current = null;
    try {
      for (var e : files.entrySet()) {
        current = e.getKey();
        Path target = current.toAbsolutePath();
        Path temp = createTempBeside(target.getParent(), target.getFileName().toString());
        temps.put(current, temp);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
          e.getValue().writeTo(channel);
          channel.force(true);
        }
      }
      for (var e : temps.entrySet()) {
        current = e.getKey();
        Path target = current.toAbsolutePath();
        try {
          Files.move(e.getValue(), target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException ex) {
          Files.move(e.getValue(), target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
      temps.clear();
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("'" + current + "': cannot write the file: folder '"
          + current.toAbsolutePath().getParent() + "' does not exist", e);
    } catch (IOException e) {
      throw new UncheckedIOException("'" + current + "': cannot write the file: " + e, e);
    } finally {
      for (Path temp : temps.values()) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // The write already failed and that is what gets reported.
        }
      }
    }
  }

  private static Path createTempBeside(Path folder, String name) throws IOException {
    while (true) {
      Path temp = folder.resolve("." + name + "." + ProcessHandle.current().pid() + "-"
          + COUNTER.incrementAndGet() + ".tmp");
      try {
        return Files.createFile(temp);
      } catch (FileAlreadyExistsException e) {
        // Left by a crashed run; try the next name.
      }
    }
  }
}
