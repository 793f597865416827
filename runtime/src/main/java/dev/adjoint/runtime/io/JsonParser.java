package dev.adjoint.runtime.io;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 JSON parser for {@code .safetensors} headers: objects become insertion-ordered
 * maps, arrays lists, integers {@link BigInteger}, other numbers {@link BigDecimal}, {@code null}
 * {@link #NULL}. Duplicate keys are an error rather than "last one wins", since in a safetensors
 * header they would be two tensors with the same name.
 */
final class JsonParser {
  /** The JSON {@code null}; a sentinel because the maps and lists here hold no Java nulls. */
  static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  /** Deep enough for any header; the limit keeps hostile input from overflowing the stack. */
  private static final int MAX_DEPTH = 64;
  private static final int MAX_NUMBER_LENGTH = 400;

  private final String text;
  private int pos;

  private JsonParser(String text) {
    this.text = text;
  }

  /** Parses one JSON value that spans all of {@code text} (surrounding whitespace allowed). */
  static Object parse(String text) throws LiteralSyntaxException {
    JsonParser parser = new JsonParser(text);
    parser.skipWhitespace();
    Object value = parser.value(0);
    parser.skipWhitespace();
    if (parser.pos != text.length()) {
      throw parser.error("unexpected " + parser.describeNext() + " after the JSON value");
    }
    return value;
  }

  private Object value(int depth) throws LiteralSyntaxException {
    if (depth > MAX_DEPTH) {
      throw error("JSON nested deeper than " + MAX_DEPTH + " levels");
    }
    if (pos >= text.length()) {
      throw error("unexpected end of text; expected a JSON value");
    }
    char c = text.charAt(pos);
    return switch (c) {
      case '{' -> object(depth);
      case '[' -> array(depth);
      case '"' -> string();
      case 't' -> keyword("true", Boolean.TRUE);
      case 'f' -> keyword("false", Boolean.FALSE);
      case 'n' -> keyword("null", NULL);
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          yield number();
        }
        throw error("unexpected " + describeNext() + "; expected a JSON value");
      }
    };
  }

  private Map<String, Object> object(int depth) throws LiteralSyntaxException {
    pos++; // '{'
    Map<String, Object> members = new LinkedHashMap<>();
    skipWhitespace();
    if (peek('}')) {
      pos++;
      return Collections.unmodifiableMap(members);
    }
    while (true) {
      skipWhitespace();
      if (!peek('"')) {
        throw error("unexpected " + describeNext() + "; expected a string key");
      }
      int keyStart = pos;
      String key = string();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      Object member = value(depth + 1);
      if (members.putIfAbsent(key, member) != null) {
        throw new DuplicateKeyException(key, depth, keyStart);
      }
      skipWhitespace();
      if (peek(',')) {
        pos++;
      } else if (peek('}')) {
        pos++;
        return Collections.unmodifiableMap(members);
      } else {
        throw error("unexpected " + describeNext() + "; expected ',' or '}'");
      }
    }
  }

  private List<Object> array(int depth) throws LiteralSyntaxException {
    pos++; // '['
    List<Object> elements = new ArrayList<>();
    skipWhitespace();
    if (peek(']')) {
      pos++;
      return Collections.unmodifiableList(elements);
    }
    while (true) {
      skipWhitespace();
      elements.add(value(depth + 1));
      skipWhitespace();
      if (peek(',')) {
        pos++;
      } else if (peek(']')) {
        pos++;
        return Collections.unmodifiableList(elements);
      } else {
        throw error("unexpected " + describeNext() + "; expected ',' or ']'");
      }
    }
  }

  private String string() throws LiteralSyntaxException {
    int start = pos;
    pos++; // '"'
    StringBuilder out = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        throw error("unterminated string", start);
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return out.toString();
      }
      if (c < 0x20) {
        throw error("unescaped control character U+" + String.format("%04X", (int) c) + " in a string", pos - 1);
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
        case '"' -> out.append('"');
        case '\\' -> out.append('\\');
        case '/' -> out.append('/');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> out.append(unicodeEscape());
        default -> throw error("invalid escape '\\" + escape + "' in a string", pos - 2);
      }
    }
  }

  private char unicodeEscape() throws LiteralSyntaxException {
    if (pos + 4 > text.length()) {
      throw error("incomplete \\u escape", pos - 2);
    }
    int code = 0;
    for (int i = 0; i < 4; i++) {
      int digit = Character.digit(text.charAt(pos + i), 16);
      if (digit < 0) {
        throw error("invalid \\u escape", pos - 2);
      }
      code = code * 16 + digit;
    }
    pos += 4;
    return (char) code;
  }

  private Object number() throws LiteralSyntaxException {
    int start = pos;
    if (peek('-')) {
      pos++;
    }
    if (peek('0')) {
      pos++;
    } else if (pos < text.length() && text.charAt(pos) >= '1' && text.charAt(pos) <= '9') {
      skipDigits();
    } else {
      throw error("invalid number: expected a digit", pos);
    }
    boolean integral = true;
    if (peek('.')) {
      pos++;
      integral = false;
      requireDigits();
    }
    if (peek('e') || peek('E')) {
      pos++;
      integral = false;
      if (peek('+') || peek('-')) {
        pos++;
      }
      requireDigits();
    }
    String literal = text.substring(start, pos);
    // No header needs a longer number, and BigInteger parses very long ones in quadratic time.
    if (literal.length() > MAX_NUMBER_LENGTH) {
      throw error("number with more than " + MAX_NUMBER_LENGTH + " characters", start);
    }
    try {
      return integral ? new BigInteger(literal) : new BigDecimal(literal);
    } catch (NumberFormatException e) {
      // BigDecimal refuses exponents beyond the int range (1e9999999999).
      throw error("number out of range", start);
    }
  }

  private void requireDigits() throws LiteralSyntaxException {
    if (pos >= text.length() || !isDigit(text.charAt(pos))) {
      throw error("invalid number: expected a digit", pos);
    }
    skipDigits();
  }

  private void skipDigits() {
    while (pos < text.length() && isDigit(text.charAt(pos))) {
      pos++;
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private Object keyword(String word, Object value) throws LiteralSyntaxException {
    if (!text.startsWith(word, pos)) {
      throw error("unexpected " + describeNext() + "; expected a JSON value");
    }
    pos += word.length();
    return value;
  }

  private void expect(char c) throws LiteralSyntaxException {
    if (!peek(c)) {
      throw error("unexpected " + describeNext() + "; expected '" + c + "'");
    }
    pos++;
  }

  private boolean peek(char c) {
    return pos < text.length() && text.charAt(pos) == c;
  }

  private void skipWhitespace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private String describeNext() {
    return pos >= text.length() ? "end of text" : "'" + text.charAt(pos) + "'";
  }

  private LiteralSyntaxException error(String reason) {
    return error(reason, pos);
  }

  private static LiteralSyntaxException error(String reason, int offset) {
    return new LiteralSyntaxException(reason, offset);
  }

  /** A key that appears twice in one object; {@link #depth()} is 0 for the outermost object. */
  static final class DuplicateKeyException extends LiteralSyntaxException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final int depth;

    DuplicateKeyException(String key, int depth, int offset) {
      super("duplicate key \"" + key + "\"", offset);
      this.key = key;
      this.depth = depth;
    }

    String key() {
      return key;
    }

    int depth() {
      return depth;
    }
  }
}
