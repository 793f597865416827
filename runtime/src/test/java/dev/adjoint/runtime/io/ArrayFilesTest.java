package dev.adjoint.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArrayFilesTest {
  @TempDir
  Path folder;

  @Test
  void aWriteThatFailsHalfwayLeavesTheOldFileAndNoTemporaryFile() throws Exception {
    Path path = folder.resolve("params.safetensors");
    Files.write(path, new byte[] {1, 2, 3});
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> ArrayFiles.writeAtomically(path, channel -> {
      channel.write(ByteBuffer.wrap(new byte[] {9, 9, 9, 9, 9}));
      throw new IOException("disk full");
    }));
    assertEquals("'" + path + "': cannot write the file: java.io.IOException: disk full", e.getMessage());
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(path));
    try (var files = Files.list(folder)) {
      assertEquals(List.of(path), files.toList());
    }
  }

  @Test
  void aRelativePathIsWrittenWhereItPoints() throws Exception {
    Path relative = Path.of("target", "array-files-test.bin");
    Files.createDirectories(relative.getParent());
    ArrayFiles.writeAtomically(relative, channel -> channel.write(ByteBuffer.wrap(new byte[] {7})));
    assertArrayEquals(new byte[] {7}, Files.readAllBytes(relative));
    assertArrayEquals(new byte[] {7}, ArrayFiles.readAll(relative));
    Files.delete(relative);
  }
}
