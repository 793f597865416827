package dev.adjoint.train;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte level: how text is cut into pieces before byte-pair merges, and how each byte is
 * spelled as a printable character in {@code tokenizer.json} (the table of GPT-2's
 * {@code bytes_to_unicode}: the printable Latin-1 bytes stand for themselves, the other 68 map to
 * U+0100 onwards, so a space is {@code Ġ} and a newline {@code Ċ}).
 */
final class ByteLevel {
  /**
   * GPT-2's pre-tokenizer: English contractions, runs of letters or of digits with at most one
   * space in front, runs of other symbols likewise, and whitespace (a run before a word leaves its
   * last space to that word). Merges never cross these pieces, which keeps learning fast (pieces
   * repeat) and tokens word-like.
   */
  static final Pattern PIECES =
      Pattern.compile("'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

  private static final char[] BYTE_TO_CHAR = new char[256];
  private static final int[] CHAR_TO_BYTE = new int[512];

  static {
    java.util.Arrays.fill(CHAR_TO_BYTE, -1);
    int extra = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      char c = printable ? (char) b : (char) (256 + extra++);
      BYTE_TO_CHAR[b] = c;
      CHAR_TO_BYTE[c] = b;
    }
  }

  private ByteLevel() {}

  /** The pieces of {@code text}, in order; their concatenation is {@code text}. */
  static List<String> pieces(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = PIECES.matcher(text);
    while (m.find()) out.add(m.group());
    return out;
  }

  /** Bytes spelled one printable character each. */
  static String spell(byte[] bytes) {
    StringBuilder sb = new StringBuilder(bytes.length);
    for (byte b : bytes) sb.append(BYTE_TO_CHAR[b & 0xFF]);
    return sb.toString();
  }

  /**
   * The bytes that {@link #spell} spelled as {@code text}.
   *
   * @throws IllegalArgumentException naming the first character that spells no byte
   */
  static byte[] unspell(String text) {
    byte[] out = new byte[text.length()];
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
      if (b < 0) {
        throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
            "the character U+%04X spells no byte in GPT-2's byte-level alphabet", (int) c));
      }
      out[i] = (byte) b;
    }
    return out;
  }
}
