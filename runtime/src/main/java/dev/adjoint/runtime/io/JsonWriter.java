package dev.adjoint.runtime.io;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Writes compact JSON (no spaces) the way the Rust {@code safetensors} crate's serde_json does, so
 * headers written here are byte-identical to its: non-ASCII characters as UTF-8, only {@code "},
 * {@code \} and control characters escaped, short escapes where JSON has them, else lower-case
 * <code>&#92;u00XX</code>.
 */
final class JsonWriter {
  private JsonWriter() {}

  /**
   * The JSON text of a value made of maps with string keys, lists, strings, numbers, booleans and
   * {@link JsonParser#NULL}; also how messages quote a parsed value.
   */
  static String write(Object value) {
    StringBuilder out = new StringBuilder();
    append(out, value);
    return out.toString();
  }

  private static void append(StringBuilder out, Object value) {
    switch (value) {
      case String s -> appendString(out, s);
      case Integer i -> out.append(i);
      case Long l -> out.append(l);
      case BigInteger n -> out.append(n);
      case BigDecimal n -> out.append(n);
      case Boolean b -> out.append(b);
      case Map<?, ?> map -> {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
          if (!first) {
            out.append(',');
          }
          first = false;
          appendString(out, (String) entry.getKey());
          out.append(':');
          append(out, entry.getValue());
        }
        out.append('}');
      }
      case List<?> list -> {
        out.append('[');
        for (int i = 0; i < list.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          append(out, list.get(i));
        }
        out.append(']');
      }
      default -> {
        if (value != JsonParser.NULL) {
          throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON");
        }
        out.append("null");
      }
    }
  }

  private static void appendString(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
