package dev.adjoint.train;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Text from ids as they are generated, for printing tokens as they come: a byte-level BPE token may
 * end in the middle of a character (an emoji is four bytes, often two or more tokens), so the bytes
 * of a character not yet complete are held back until the token that completes it arrives, and
 * nothing is printed as U+FFFD that the next token would have made whole. The text of all
 * {@link #push} results and {@link #finish} is exactly {@link TextTokenizer#decode} of all the ids.
 */
public final class TextStream {
  private final TextTokenizer tokenizer;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  public TextStream(TextTokenizer tokenizer) {
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
  }

  /**
   * The text that id {@code id} completes: every whole character since the last call; possibly empty.
   *
   * @throws DataException if the id is outside the vocabulary
   */
  public String push(int id) {
    pending.writeBytes(tokenizer.bytes(id));
    byte[] b = pending.toByteArray();
    int complete = completePrefix(b);
    pending.reset();
    pending.write(b, complete, b.length - complete);
    return new String(b, 0, complete, StandardCharsets.UTF_8);
  }

  /** What is still held back, decoded with U+FFFD for the incomplete character; the stream starts empty again. */
  public String finish() {
    String rest = pending.toString(StandardCharsets.UTF_8);
    pending.reset();
    return rest;
  }

  /**
   * The length of the longest prefix of {@code b} that does not end inside a UTF-8 sequence still
   * short of bytes: only a lead byte among the last three, whose sequence needs more bytes than
   * follow it, is held back (with what follows); anything malformed is let through to decode as U+FFFD.
   */
  static int completePrefix(byte[] b) {
    for (int back = 1; back <= Math.min(3, b.length); back++) {
      int i = b.length - back;
      int v = b[i] & 0xFF;
      if ((v & 0xC0) == 0x80) continue; // a continuation byte: look further back for its lead
      int need = v >= 0xF0 && v <= 0xF4 ? 4 : v >= 0xE0 ? 3 : v >= 0xC2 && v < 0xE0 ? 2 : 1;
      return back < need && v < 0xF5 ? i : b.length;
    }
    return b.length;
  }
}
