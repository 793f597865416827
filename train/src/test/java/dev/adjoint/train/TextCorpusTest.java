package dev.adjoint.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextCorpusTest {
  @TempDir Path dir;

  @Test
  void readsUtf8AndGzipAndDropsAByteOrderMark() throws Exception {
    Path plain = dir.resolve("a.txt");
    Files.writeString(plain, "\uFEFFIn the beginning — é 😀\n");
    assertEquals("In the beginning — é 😀\n", TextCorpus.read(plain));
    Path gz = dir.resolve("a.txt.gz");
    var out = new ByteArrayOutputStream();
    try (var z = new GZIPOutputStream(out)) {
      z.write("compressed text\n".getBytes(StandardCharsets.UTF_8));
    }
    Files.write(gz, out.toByteArray());
    assertEquals("compressed text\n", TextCorpus.read(gz));
  }

  @Test
  void anEmptyTextIsRefused() throws Exception {
    Path empty = dir.resolve("empty.txt");
    Files.write(empty, new byte[0]);
    var e = assertThrows(DataException.class, () -> TextCorpus.read(empty));
    assertEquals("'" + empty + "' is empty: there is no text to train on", e.getMessage());
    Files.write(empty, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    assertEquals(e.getMessage(), assertThrows(DataException.class, () -> TextCorpus.read(empty)).getMessage());
  }

  @Test
  void nonUtf8BytesAreNamedWithOffsetAndLine() throws Exception {
    Path latin1 = dir.resolve("latin1.txt");
    Files.write(latin1, "first line\ncaf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    var e = assertThrows(DataException.class, () -> TextCorpus.read(latin1));
    assertEquals("'" + latin1 + "' is not valid UTF-8: byte 0xE9 at offset 14 (line 2); save the text as UTF-8",
        e.getMessage());
  }

  @Test
  void missingAndBrokenGzipFilesAreNamed() throws Exception {
    Path none = dir.resolve("none.txt");
    assertEquals("'" + none + "': no such text file",
        assertThrows(DataException.class, () -> TextCorpus.read(none)).getMessage());
    Path notGzip = dir.resolve("x.txt.gz");
    Files.writeString(notGzip, "plain");
    var e = assertThrows(DataException.class, () -> TextCorpus.read(notGzip));
    assertEquals("'" + notGzip + "' ends in .gz but is not a whole gzip file: Not in GZIP format", e.getMessage());
  }
}
