package dev.adjoint.maven;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The {@code .adj} files under a source directory that the patterns select, in a stable order. */
final class SourceScanner {
  private SourceScanner() {}

  /** Every matching regular file below {@code root}, sorted by relative path; none if {@code root} is absent. */
  static List<Path> scan(Path root, SourcePatterns patterns) {
    if (!Files.isDirectory(root)) return List.of();
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile)
          .filter(f -> patterns.matches(relative(root, f)))
          .sorted((a, b) -> relative(root, a).compareTo(relative(root, b)))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
    }
  }

  /** The path of {@code file} below {@code root}, with {@code /} between names on every platform. */
  static String relative(Path root, Path file) {
    return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
  }
}
