package dev.adjoint.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicWritesTest {
  @TempDir Path dir;

  @Test
  void replacesTheFileAndLeavesNoTemporaries() throws Exception {
    Path f = dir.resolve("a.txt");
    Files.writeString(f, "old");
    AtomicWrites.write(f, "new".getBytes(StandardCharsets.UTF_8));
    assertEquals("new", Files.readString(f));
    try (var files = Files.list(dir)) {
      assertEquals(List.of(f), files.toList());
    }
  }

  @Test
  void aFailureWhileWritingChangesNoTarget() throws Exception {
    Path first = dir.resolve("first.txt");
    Files.writeString(first, "old");
    Path second = dir.resolve("missing").resolve("second.txt");
    SequencedMap<Path, AtomicWrites.Content> files = new LinkedHashMap<>();
    files.put(first, AtomicWrites.Content.of("new".getBytes(StandardCharsets.UTF_8)));
    files.put(second, AtomicWrites.Content.of("new".getBytes(StandardCharsets.UTF_8)));
    var e = assertThrows(UncheckedIOException.class, () -> AtomicWrites.writeAll(files));
    assertTrue(e.getMessage().contains("second.txt': cannot write the file: folder"), e.getMessage());
    assertEquals("old", Files.readString(first));
    try (var left = Files.list(dir)) {
      assertEquals(List.of(first), left.toList(), "the first temporary file is removed");
    }
  }
}
