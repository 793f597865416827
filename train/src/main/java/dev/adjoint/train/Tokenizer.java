package dev.adjoint.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** How text becomes tokens: one per character (Unicode code point) or one per whitespace-separated word. */
public enum Tokenizer {
  /** Every code point is a token, spaces included; joining concatenates. */
  CHARACTER("char"),
  /** Runs of whitespace separate tokens and are dropped; joining puts one space between tokens. */
  WHITESPACE("whitespace");

  private final String cliName;

  Tokenizer(String cliName) {
    this.cliName = cliName;
  }

  /** {@code char} or {@code whitespace}: the name in options and in saved vocabularies. */
  public String cliName() {
    return cliName;
  }

  /**
   * The tokenizer named {@code char} (or {@code character}) or {@code whitespace} (or {@code word}).
   *
   * @throws IllegalArgumentException naming the choices if there is none of that name
   */
  public static Tokenizer fromName(String name) {
    Objects.requireNonNull(name, "name");
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "char", "character" -> CHARACTER;
      case "whitespace", "word" -> WHITESPACE;
      default -> throw new IllegalArgumentException("unknown tokenizer '" + name + "'; expected char or whitespace");
    };
  }

  /** The tokens of {@code text}; none for an empty (or, by words, all-blank) text. */
  public List<String> split(String text) {
    Objects.requireNonNull(text, "text");
    List<String> out = new ArrayList<>();
    switch (this) {
      case CHARACTER -> text.codePoints().forEach(c -> out.add(Character.toString(c)));
      case WHITESPACE -> {
        int i = 0;
        int n = text.length();
        while (i < n) {
          while (i < n && Character.isWhitespace(text.codePointAt(i))) i += Character.charCount(text.codePointAt(i));
          int start = i;
          while (i < n && !Character.isWhitespace(text.codePointAt(i))) i += Character.charCount(text.codePointAt(i));
          if (i > start) out.add(text.substring(start, i));
        }
      }
    }
    return out;
  }

  /** The text of {@code tokens}: the inverse of {@link #split} up to the whitespace between words. */
  public String join(List<String> tokens) {
    Objects.requireNonNull(tokens, "tokens");
    return String.join(this == CHARACTER ? "" : " ", tokens);
  }
}
