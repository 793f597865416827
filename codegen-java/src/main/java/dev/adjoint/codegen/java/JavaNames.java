package dev.adjoint.codegen.java;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import javax.lang.model.SourceVersion;

/**
 * Java identifiers and comment text derived from names in a kernel program, which come from user
 * identifiers ({@code encoder.self_attn.wq}) and file names: the result is always a plain ASCII
 * identifier or plain ASCII comment text, so no name can change what the generated code does.
 *
 * <p>An identifier keeps the ASCII letters and digits of the name and turns every other run of
 * characters into a word break, camel-casing the next word: {@code encoder.self_attn.wq} →
 * {@code encoderSelfAttnWq}, {@code k3_attention} → {@code k3Attention}. Keywords and names that
 * do not start with a letter get a prefix or suffix. Names are made unique by a {@link Scope}, which
 * appends {@code _2}, {@code _3}, … in the order names are asked for, so the output depends only on
 * the program.
 */
final class JavaNames {
  private JavaNames() {}

  /** Names that are never given to a variable: contextual keywords and the types generated code names. */
  private static final Set<String> RESERVED = Set.of(
      "var", "yield", "record", "sealed", "permits", "non", "when", "module", "open", "exports", "requires",
      "Math", "Arrays", "Float", "Double", "Integer", "Long", "Boolean", "Object", "String", "System", "Override",
      "SpecialFunctions", "Philox4x32", "KernelMath", "RunContext", "Buffers", "Sizes", "CompiledKernels",
      "RangeBody", "Tensor", "DType", "ModelParam", "ModelParams", "Arguments", "TensorArrays", "ThreadPool", "Path",
      "Workspace", "WorkspacePool", "List", "Map", "java", "javax", "dev");

  /** Whether {@code name} is a name generated code uses for something else (a type it refers to). */
  static boolean isReserved(String name) {
    return RESERVED.contains(name);
  }

  /**
   * {@code name} as a lower-camel-case Java identifier, or {@code fallback} when nothing usable is
   * left; never a keyword or a reserved name.
   */
  static String identifier(String name, String fallback) {
    String id = camel(name, false);
    if (id.isEmpty()) id = fallback;
    if (!Character.isLetter(id.charAt(0))) id = fallback + id;
    if (SourceVersion.isKeyword(id) || RESERVED.contains(id) || id.equals("_")) id = id + "_";
    return id;
  }

  /**
   * {@code name} as a Java identifier that keeps its case ({@code B}, {@code T}, {@code Dh}), for
   * sizes, which read best as they are written in the source.
   */
  static String sizeIdentifier(String name) {
    String id = camel(name, true);
    if (id.isEmpty()) id = "size";
    if (!Character.isLetter(id.charAt(0))) id = "size" + id;
    if (SourceVersion.isKeyword(id) || RESERVED.contains(id)) id = id + "_";
    return id;
  }

  /** Upper camel case, for class names derived from program names. */
  static String typeIdentifier(String name, String fallback) {
    String id = camel(name, false);
    if (id.isEmpty() || !Character.isLetter(id.charAt(0))) id = fallback + id;
    id = Character.toUpperCase(id.charAt(0)) + id.substring(1);
    if (SourceVersion.isKeyword(id) || RESERVED.contains(id)) id = id + "_";
    return id;
  }

  private static String camel(String name, boolean keepCase) {
    StringBuilder out = new StringBuilder();
    boolean upperNext = false;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      boolean digit = c >= '0' && c <= '9';
      if (!letter && !digit) {
        upperNext = out.length() > 0;
        continue;
      }
      if (upperNext && letter) c = Character.toUpperCase(c);
      else if (upperNext && digit) out.append('_');
      else if (out.length() == 0 && letter && !keepCase) c = Character.toLowerCase(c);
      upperNext = false;
      out.append(c);
    }
    return out.toString();
  }

  /**
   * Text safe inside a Java comment or Javadoc: printable ASCII only (anything else becomes
   * {@code ?}), no backslash (a unicode escape is read before comments end), no {@code *}{@code /}
   * and no HTML or Javadoc markup.
   */
  static String commentText(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '@' -> out.append("&#64;");
        case '{' -> out.append("&#123;");
        case '}' -> out.append("&#125;");
        case '\\' -> out.append('?');
        case '/' -> out.append(out.length() > 0 && out.charAt(out.length() - 1) == '*' ? " /" : "/");
        case '*' -> out.append(out.length() > 0 && out.charAt(out.length() - 1) == '/' ? " *" : "*");
        default -> out.append(c >= 0x20 && c < 0x7F ? c : '?');
      }
    }
    return out.toString();
  }

  /**
   * {@code text} as a Java string literal of printable ASCII: quotes, backslashes and control
   * characters escaped as JavaPoet's {@code $S} escapes them, and every other non-ASCII character
   * as a {@code \\uXXXX} escape (never a quote, backslash or line end, so it cannot end the
   * literal).
   */
  static String literal(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c >= 0x20 && c < 0x7F) out.append(c);
          else out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
        }
      }
    }
    return out.append('"').toString();
  }

  /**
   * The identifiers in use where code is being generated. A child scope starts with every name its
   * parent has, so a new name never hides an outer one (Java forbids that for locals); names a
   * child adds are gone when it ends, so sibling blocks reuse them.
   */
  static final class Scope {
    private final Set<String> used;

    Scope() {
      this.used = new HashSet<>();
    }

    private Scope(Set<String> used) {
      this.used = new HashSet<>(used);
    }

    Scope child() {
      return new Scope(used);
    }

    /** Takes {@code preferred}, or the first of {@code preferred_2}, {@code preferred_3}, … that is free. */
    String claim(String preferred) {
      Objects.requireNonNull(preferred, "preferred");
      String name = preferred;
      for (int n = 2; used.contains(name); n++) {
        name = preferred + "_" + n;
      }
      used.add(name);
      return name;
    }

    boolean isUsed(String name) {
      return used.contains(name);
    }
  }
}
