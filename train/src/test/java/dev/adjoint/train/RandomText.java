package dev.adjoint.train;

import java.util.Random;

/** Random valid Unicode text for property tests: mostly ASCII words, with spaces, digits, accents, emoji, CJK. */
final class RandomText {
  private static final String[] WORDS = {"the", "and", "of", "The", "LORD", "unto", "é", "naïve", "日本", "😀", "\t",
      "\n", "  ", "'s", "'ll", "123", "4", ",", ".", ";", "!?", "-"};

  private RandomText() {}

  /** About {@code length} code points. */
  static String of(Random random, int length) {
    StringBuilder sb = new StringBuilder();
    while (sb.codePointCount(0, sb.length()) < length) {
      switch (random.nextInt(4)) {
        case 0 -> sb.append(WORDS[random.nextInt(WORDS.length)]);
        case 1 -> sb.append(' ');
        case 2 -> sb.appendCodePoint(randomCodePoint(random));
        default -> sb.append((char) ('a' + random.nextInt(26)));
      }
    }
    return sb.toString();
  }

  /** Any code point but a surrogate (which no UTF-8 text holds). */
  static int randomCodePoint(Random random) {
    while (true) {
      int c = switch (random.nextInt(3)) {
        case 0 -> random.nextInt(0x80);
        case 1 -> random.nextInt(0x800);
        default -> random.nextInt(Character.MAX_CODE_POINT + 1);
      };
      if (c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE) return c;
    }
  }
}
