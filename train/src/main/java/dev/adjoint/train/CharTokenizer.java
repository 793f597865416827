package dev.adjoint.train;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * One id per character (Unicode code point) of the training text, in code-point order, as
 * nanoGPT's {@code shakespeare_char}: the vocabulary is every distinct character of the text, so a
 * prompt may only use those.
 */
public final class CharTokenizer implements TextTokenizer {
  private final int[] codePoints;
  private final byte[][] bytes;
  private final Map<Integer, Integer> ids = new HashMap<>();

  private CharTokenizer(int[] codePoints) {
    this.codePoints = codePoints.clone();
    this.bytes = new byte[codePoints.length][];
    for (int i = 0; i < codePoints.length; i++) {
      bytes[i] = Character.toString(codePoints[i]).getBytes(StandardCharsets.UTF_8);
      if (ids.put(codePoints[i], i) != null) {
        throw new IllegalArgumentException("the character " + describe(codePoints[i]) + " is listed twice");
      }
    }
  }

  /** The distinct characters of {@code text}; at most {@code limit} of them if a limit is given. */
  static CharTokenizer learn(String text, OptionalInt limit) {
    int[] distinct = text.codePoints().distinct().sorted().toArray();
    if (limit.isPresent() && limit.getAsInt() < distinct.length) {
      throw new DataException("--vocab-size " + limit.getAsInt() + " is smaller than the " + distinct.length
          + " distinct characters of the training text; use --vocab-size " + distinct.length
          + " or more, or --tokenizer bpe");
    }
    return new CharTokenizer(distinct);
  }

  static CharTokenizer fromJson(Map<?, ?> vocab, List<?> merges) {
    if (!merges.isEmpty()) throw new IllegalArgumentException("a char tokenizer has no merges");
    List<String> tokens = TokenizerJson.tokensById(vocab);
    int[] cps = new int[tokens.size()];
    for (int i = 0; i < cps.length; i++) {
      String t = tokens.get(i);
      if (t.isEmpty() || t.codePointCount(0, t.length()) != 1) {
        throw new IllegalArgumentException("the char tokenizer's token " + i + " is \"" + t + "\", not one character");
      }
      cps[i] = t.codePointAt(0);
    }
    return new CharTokenizer(cps);
  }

  @Override
  public String kind() {
    return "char";
  }

  @Override
  public int size() {
    return codePoints.length;
  }

  /**
   * @throws DataException for the first character the vocabulary lacks, naming it and its position
   *     (1-based, counted in characters)
   */
  @Override
  public int[] encode(String text) {
    int[] out = new int[text.codePointCount(0, text.length())];
    int n = 0;
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      Integer id = ids.get(c);
      if (id == null) {
        throw new DataException("the character " + describe(c) + " at position " + (n + 1)
            + " is not in the char tokenizer's vocabulary (the " + size()
            + " characters of the training text)");
      }
      out[n++] = id;
      i += Character.charCount(c);
    }
    return out;
  }

  @Override
  public byte[] bytes(int id) {
    return bytes[checkId(id)].clone();
  }

  @Override
  public String decode(int[] ids) {
    StringBuilder sb = new StringBuilder(ids.length);
    for (int id : ids) sb.appendCodePoint(codePoints[checkId(id)]);
    return sb.toString();
  }

  @Override
  public String toJson() {
    List<String> vocab = new ArrayList<>(codePoints.length);
    for (int c : codePoints) vocab.add(Character.toString(c));
    return TokenizerJson.write(false, vocab, List.of());
  }

  /** {@code 'é' (U+00E9)}; control characters and spaces by their escape or code alone. */
  static String describe(int c) {
    String code = String.format(Locale.ROOT, "U+%04X", c);
    return switch (c) {
      case '\n' -> "'\\n' (" + code + ")";
      case '\t' -> "'\\t' (" + code + ")";
      case '\r' -> "'\\r' (" + code + ")";
      default -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
          || c != ' ' && (Character.isWhitespace(c) || Character.isSpaceChar(c)) ? code : "'" + Character.toString(c) + "' (" + code + ")";
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CharTokenizer t && java.util.Arrays.equals(codePoints, t.codePoints);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(codePoints);
  }

  @Override
  public String toString() {
    return "CharTokenizer(" + size() + " characters)";
  }
}
