package dev.adjoint.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A strict reader of nested JSON for the files the training application keeps beside a run (the
 * tokenizer's {@code tokenizer.json}): objects become insertion-ordered maps, arrays lists, numbers
 * {@link Double}, {@code null} {@link Optional#empty()} (maps and lists hold no Java nulls), and
 * duplicate keys are an error. Anything malformed is an {@link IllegalArgumentException} saying
 * where (line and column).
 */
final class NestedJson {
  private static final int MAX_DEPTH = 64;
  private final String text;
  private int pos;

  private NestedJson(String text) {
    this.text = text;
  }

  static Object parse(String text) {
    NestedJson p = new NestedJson(text);
    p.skipSpace();
    Object v = p.value(0);
    p.skipSpace();
    if (p.pos != text.length()) throw p.error("unexpected text after the JSON value");
    return v;
  }

  private Object value(int depth) {
    if (depth > MAX_DEPTH) throw error("JSON nested deeper than " + MAX_DEPTH + " levels");
    char c = peek();
    switch (c) {
      case '{' -> {
        pos++;
        Map<String, Object> out = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
          pos++;
          return out;
        }
        while (true) {
          skipSpace();
          if (peek() != '"') throw error("expected a key in quotes");
          String key = string();
          skipSpace();
          expect(':');
          skipSpace();
          if (out.containsKey(key)) throw error("duplicate key \"" + key + "\"");
          out.put(key, value(depth + 1));
          skipSpace();
          if (peek() == ',') {
            pos++;
            continue;
          }
          expect('}');
          return out;
        }
      }
      case '[' -> {
        pos++;
        List<Object> out = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
          pos++;
          return out;
        }
        while (true) {
          skipSpace();
          out.add(value(depth + 1));
          skipSpace();
          if (peek() == ',') {
            pos++;
            continue;
          }
          expect(']');
          return out;
        }
      }
      case '"' -> {
        return string();
      }
      default -> {
        for (var literal : List.of(Map.entry("null", Optional.empty()), Map.entry("true", Boolean.TRUE),
            Map.entry("false", Boolean.FALSE))) {
          if (text.startsWith(literal.getKey(), pos)) {
            pos += literal.getKey().length();
            return literal.getValue();
          }
        }
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        throw error("expected a JSON value");
      }
    }
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
    while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') pos++;
    return pos > start;
  }

  private String string() {
    expect('"');
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= text.length()) throw error("unterminated string");
      char c = text.charAt(pos++);
      if (c == '"') return sb.toString();
      if (c < 0x20) throw error("control character in a string");
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      if (pos >= text.length()) throw error("unterminated string");
      char e = text.charAt(pos++);
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          if (pos + 4 > text.length()) throw error("bad \\u escape");
          try {
            sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
          } catch (NumberFormatException ex) {
            throw error("bad \\u escape");
          }
          pos += 4;
        }
        default -> throw error("unknown escape \\" + e);
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

  private IllegalArgumentException error(String what) {
    int line = 1;
    int col = 1;
    for (int i = 0; i < Math.min(pos, text.length()); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return new IllegalArgumentException("line " + line + ", column " + col + ": " + what);
  }
}
