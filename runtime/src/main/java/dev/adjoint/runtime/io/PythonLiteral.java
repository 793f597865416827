package dev.adjoint.runtime.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The small part of Python literal syntax that {@code .npy} headers use (they are written with
 * {@code repr} and read with {@code ast.literal_eval}): dicts, tuples, lists, strings in ' or ",
 * integers, {@code True}, {@code False}, {@code None}.
 *
 * <p>Values are returned as {@link Map} (insertion-ordered), {@link Tuple}, {@link List},
 * {@link String}, {@link BigInteger}, {@link Boolean} and {@link #NONE}. Integers are unbounded so
 * that an absurd shape is reported as such instead of wrapping around.
 */
final class PythonLiteral {
  /** Python's {@code None}. */
  static final Object NONE = new Object() {
    @Override
    public String toString() {
      return "None";
    }
  };

  /** A Python tuple, kept apart from lists because a .npy shape must be a tuple. */
  record Tuple(List<Object> elements) {
    Tuple {
      elements = List.copyOf(elements);
    }

    @Override
    public String toString() {
      return repr(this);
    }
  }

  /** Deep enough for any header; the limit keeps hostile input from overflowing the stack. */
  private static final int MAX_DEPTH = 32;
  private static final int MAX_NUMBER_LENGTH = 400;

  private final String text;
  private int pos;

  private PythonLiteral(String text) {
    this.text = text;
  }

  /** Parses {@code text}, which must hold a single dict literal and nothing else but whitespace. */
  static Map<String, Object> parseDict(String text) throws LiteralSyntaxException {
    PythonLiteral parser = new PythonLiteral(text);
    parser.skipWhitespace();
    if (!parser.peek('{')) {
      throw parser.error("expected '{' but found " + parser.describeNext());
    }
    Map<String, Object> dict = parser.dict(0);
    parser.skipWhitespace();
    if (parser.pos != text.length()) {
      throw parser.error("unexpected " + parser.describeNext() + " after the dict");
    }
    return dict;
  }

  private Object value(int depth) throws LiteralSyntaxException {
    if (depth > MAX_DEPTH) {
      throw error("literal nested deeper than " + MAX_DEPTH + " levels");
    }
    if (pos >= text.length()) {
      throw error("unexpected end of header; expected a value");
    }
    char c = text.charAt(pos);
    if (c == '{') {
      return dict(depth);
    }
    if (c == '(') {
      return tuple(depth);
    }
    if (c == '[') {
      pos++;
      return Collections.unmodifiableList(sequence(']', depth).elements());
    }
    if (c == '\'' || c == '"') {
      return string();
    }
    if (c == '-' || c == '+' || (c >= '0' && c <= '9')) {
      return integer();
    }
    if (Character.isLetter(c) || c == '_') {
      return name();
    }
    throw error("unexpected " + describeNext() + "; expected a value");
  }

  private Map<String, Object> dict(int depth) throws LiteralSyntaxException {
    pos++; // '{'
    Map<String, Object> entries = new LinkedHashMap<>();
    while (true) {
      skipWhitespace();
      if (peek('}')) {
        pos++;
        return Collections.unmodifiableMap(entries);
      }
      if (!peek('\'') && !peek('"')) {
        throw error("expected a string key or '}' but found " + describeNext());
      }
      int keyStart = pos;
      String key = string();
      skipWhitespace();
      if (!peek(':')) {
        throw error("expected ':' after key '" + key + "' but found " + describeNext());
      }
      pos++;
      skipWhitespace();
      Object entry = value(depth + 1);
      if (entries.putIfAbsent(key, entry) != null) {
        throw new LiteralSyntaxException("duplicate key '" + key + "'", keyStart);
      }
      skipWhitespace();
      if (peek(',')) {
        pos++;
      } else if (!peek('}')) {
        throw error("expected ',' or '}' but found " + describeNext());
      }
    }
  }

  /** {@code ()}, {@code (x,)}, {@code (x, y)}; {@code (x)} is just x in parentheses, as in Python. */
  private Object tuple(int depth) throws LiteralSyntaxException {
    pos++; // '('
    Items items = sequence(')', depth);
    if (items.elements().size() == 1 && !items.trailingComma()) {
      return items.elements().get(0);
    }
    return new Tuple(items.elements());
  }

  private record Items(List<Object> elements, boolean trailingComma) {}

  /** Comma-separated values up to {@code close}, an optional trailing comma allowed; consumes {@code close}. */
  private Items sequence(char close, int depth) throws LiteralSyntaxException {
    List<Object> elements = new ArrayList<>();
    boolean trailingComma = false;
    while (true) {
      skipWhitespace();
      if (peek(close)) {
        pos++;
        return new Items(elements, trailingComma);
      }
      elements.add(value(depth + 1));
      trailingComma = false;
      skipWhitespace();
      if (peek(',')) {
        pos++;
        trailingComma = true;
      } else if (!peek(close)) {
        throw error("expected ',' or '" + close + "' but found " + describeNext());
      }
    }
  }

  private String string() throws LiteralSyntaxException {
    int start = pos;
    char quote = text.charAt(pos++);
    StringBuilder out = new StringBuilder();
    while (true) {
      if (pos >= text.length() || text.charAt(pos) == '\n') {
        throw error("unterminated string", start);
      }
      char c = text.charAt(pos++);
      if (c == quote) {
        return out.toString();
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (pos >= text.length()) {
        throw error("unterminated string", start);
      }
      char escape = text.charAt(pos++);
      switch (escape) {
        case '\\', '\'', '"' -> out.append(escape);
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case '0' -> out.append('\0');
        case 'x' -> out.append((char) hexDigits(2));
        case 'u' -> out.append((char) hexDigits(4));
        default -> throw new LiteralSyntaxException("unsupported escape '\\" + escape + "' in a string", pos - 2);
      }
    }
  }

  private int hexDigits(int count) throws LiteralSyntaxException {
    int code = 0;
    for (int i = 0; i < count; i++) {
      int digit = pos < text.length() ? Character.digit(text.charAt(pos), 16) : -1;
      if (digit < 0) {
        throw error("expected " + count + " hex digits in an escape");
      }
      code = code * 16 + digit;
      pos++;
    }
    return code;
  }

  private BigInteger integer() throws LiteralSyntaxException {
    int start = pos;
    if (peek('-') || peek('+')) {
      pos++;
    }
    int digitsStart = pos;
    while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
      pos++;
    }
    if (pos == digitsStart) {
      throw error("expected a digit but found " + describeNext());
    }
    // No header needs a longer number, and BigInteger parses very long ones in quadratic time.
    if (pos - start > MAX_NUMBER_LENGTH) {
      throw error("integer with more than " + MAX_NUMBER_LENGTH + " characters", start);
    }
    BigInteger value = new BigInteger(text.substring(start, pos));
    // Python 2's repr wrote longs as 3L; old NumPy files have shapes like (3L, 4L).
    if (peek('L')) {
      pos++;
    }
    if (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || peek('.') || peek('_'))) {
      throw error("unsupported number literal; only plain integers are allowed", start);
    }
    return value;
  }

  private Object name() throws LiteralSyntaxException {
    int start = pos;
    while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
      pos++;
    }
    String word = text.substring(start, pos);
    return switch (word) {
      case "True" -> Boolean.TRUE;
      case "False" -> Boolean.FALSE;
      case "None" -> NONE;
      default -> throw new LiteralSyntaxException("unexpected name '" + word
          + "'; only True, False and None are allowed", start);
    };
  }

  private boolean peek(char c) {
    return pos < text.length() && text.charAt(pos) == c;
  }

  private void skipWhitespace() {
    while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t'
        || text.charAt(pos) == '\n' || text.charAt(pos) == '\r')) {
      pos++;
    }
  }

  private String describeNext() {
    return pos >= text.length() ? "the end of the header" : "'" + text.charAt(pos) + "'";
  }

  private LiteralSyntaxException error(String reason) {
    return new LiteralSyntaxException(reason, pos);
  }

  private LiteralSyntaxException error(String reason, int offset) {
    return new LiteralSyntaxException(reason, offset);
  }

  /** Python's {@code repr} of a parsed value, for messages that quote what a header said. */
  static String repr(Object value) {
    return switch (value) {
      case String s -> "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
      case Boolean b -> b ? "True" : "False";
      case Tuple t -> t.elements().size() == 1
          ? "(" + repr(t.elements().get(0)) + ",)"
          : t.elements().stream().map(PythonLiteral::repr).collect(Collectors.joining(", ", "(", ")"));
      case List<?> list -> list.stream().map(PythonLiteral::repr).collect(Collectors.joining(", ", "[", "]"));
      case Map<?, ?> map -> map.entrySet().stream()
          .map(e -> repr(e.getKey()) + ": " + repr(e.getValue()))
          .collect(Collectors.joining(", ", "{", "}"));
      default -> value.toString();
    };
  }
}
