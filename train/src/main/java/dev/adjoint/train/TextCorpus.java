package dev.adjoint.train;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The text of {@code adjoint train --text FILE}: UTF-8 (a leading byte-order mark is dropped),
 * gzip-compressed when the name ends in {@code .gz} (so the corpus under {@code data/} is used as
 * committed). Bad files are a {@link DataException} naming the file: missing, empty, not gzip, not
 * UTF-8 (with the offending byte's offset and line).
 */
public final class TextCorpus {
  private TextCorpus() {}

  /** The text of {@code file}. */
  public static String read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
      if (file.getFileName() != null && file.getFileName().toString().endsWith(".gz")) {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
          bytes = in.readAllBytes();
        }
      }
    } catch (NoSuchFileException e) {
      throw new DataException("'" + file + "': no such text file");
    } catch (ZipException | java.io.EOFException e) {
      throw new DataException("'" + file + "' ends in .gz but is not a whole gzip file: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read '" + file + "'", e);
    }
    String text = decodeUtf8(bytes, file.toString());
    if (text.isEmpty()) throw new DataException("'" + file + "' is empty: there is no text to train on");
    return text;
  }

  /**
   * {@code bytes} as UTF-8, without a leading byte-order mark.
   *
   * @throws DataException naming {@code source}, the first byte that is not UTF-8, its offset and line
   */
  static String decodeUtf8(byte[] bytes, String source) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) result = decoder.flush(out);
    if (result.isError()) {
      int offset = in.position();
      int line = 1;
      for (int i = 0; i < offset; i++) if (bytes[i] == '\n') line++;
      throw new DataException(String.format(Locale.ROOT,
          "'%s' is not valid UTF-8: byte 0x%02X at offset %d (line %d); save the text as UTF-8", source,
          bytes[offset] & 0xFF, offset, line));
    }
    out.flip();
    String text = out.toString();
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }
}
