package dev.adjoint.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The little JSON the training files need: one flat object per metrics line, whose values are
 * numbers (read as Double), strings, booleans or null (read as Java null). Strict: anything else,
 * nesting included, is an {@link IllegalArgumentException} saying where.
 */
final class FlatJson {
  private final String text;
  private int pos;

  private FlatJson(String text) {
    this.text = text;
  }

  static Map<String, Object> parseObject(String text) {
    FlatJson p = new FlatJson(text);
    p.skipSpace();
    p.expect('{');
    Map<String, Object> out = new LinkedHashMap<>();
    p.skipSpace();
    if (p.peek() == '}') {
      p.pos++;
    } else {
      while (true) {
        p.skipSpace();
        String key = p.string();
        p.skipSpace();
        p.expect(':');
        p.skipSpace();
        if (out.containsKey(key)) throw p.error("duplicate key \"" + key + "\"");
        out.put(key, p.value());
        p.skipSpace();
        if (p.peek() == ',') {
          p.pos++;
          continue;
        }
        p.expect('}');
        break;
      }
    }
    p.skipSpace();
    if (p.pos != text.length()) throw p.error("unexpected text after the JSON object");
    return out;
  }

  static void appendString(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private Object value() {
    char c = peek();
    if (c == '"') return string();
    if (text.startsWith("null", pos)) {
      pos += 4;
      return null;
    }
    if (text.startsWith("true", pos)) {
      pos += 4;
      return Boolean.TRUE;
    }
    if (text.startsWith("false", pos)) {
      pos += 5;
      return Boolean.FALSE;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    throw error(c == '{' || c == '[' ? "nested values are not expected" : "expected a value");
  }

  private Double number() {
    int start = pos;
    if (peek() == '-') pos++;
    if (!digits()) throw error("bad number");
    if (peek() == '.') {
      pos++;
      if (!digits()) throw error("bad number");
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      if (peek() == '+' || peek() == '-') pos++;
      if (!digits()) throw error("bad number");
    }
    return Double.parseDouble(text.substring(start, pos));
  }

  private boolean digits() {
    int start = pos;
    while (pos < text.length() && Character.isDigit(text.charAt(pos)) && text.charAt(pos) < 128) pos++;
    return pos > start;
  }

  private String string() {
    expect('"');
    StringBuilder out = new StringBuilder();
    while (true) {
      if (pos >= text.length()) throw error("unterminated string");
      char c = text.charAt(pos++);
      if (c == '"') return out.toString();
      if (c < 0x20) throw error("control character in a string");
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (pos >= text.length()) throw error("unterminated string");
      char e = text.charAt(pos++);
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          if (pos + 4 > text.length()) throw error("bad \\u escape");
          try {
            out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
          } catch (NumberFormatException ex) {
            throw error("bad \\u escape");
          }
          pos += 4;
        }
        default -> throw error("bad escape \\" + e);
      }
    }
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private void expect(char c) {
    if (peek() != c) throw error("expected '" + c + "'");
    pos++;
  }

  private void skipSpace() {
    while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) pos++;
  }

  private IllegalArgumentException error(String problem) {
    return new IllegalArgumentException("not a JSON metrics object: " + problem + " at column " + (pos + 1));
  }
}
