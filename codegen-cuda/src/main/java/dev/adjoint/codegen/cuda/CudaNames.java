package dev.adjoint.codegen.cuda;

import java.util.HashSet;
import java.util.Set;

/**
 * C identifiers for the names of a program. Buffer names come from the user's {@code .adj} source
 * ({@code encoder.self_attn.wq}, or anything a hostile file declares), so every name is rebuilt
 * from letters, digits and underscores: it can never close a comment, start a preprocessor line or
 * name a keyword, a CUDA built-in or a helper of the prelude.
 */
final class CudaNames {
  private CudaNames() {}

  /** C, C++ and CUDA keywords and the built-in names a kernel body must not shadow. */
  private static final Set<String> RESERVED = Set.of(
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
      "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr",
      "constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete",
      "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
      "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
      "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register", "reinterpret_cast",
      "requires", "restrict", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast",
      "struct", "switch", "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid",
      "typename", "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
      "threadIdx", "blockIdx", "blockDim", "gridDim", "warpSize", "dim3", "uint3", "main", "printf", "malloc",
      "free", "memcpy", "memset", "assert", "min", "max", "abs", "exp", "expf", "log", "logf", "sqrt", "sqrtf",
      "pow", "powf", "fmax", "fmaxf", "fmin", "fminf", "floor", "floorf", "rintf", "erf", "erff", "tanh", "tanhf",
      "sin", "sinf", "cos", "cosf", "log1p", "log1pf", "fabs", "fabsf", "rsqrt", "rsqrtf", "NAN", "INFINITY",
      "seed", "step");

  /** Whether {@code name} is a keyword or built-in that no identifier of a kernel may take. */
  static boolean reserved(String name) {
    return RESERVED.contains(name);
  }

  /**
   * A safe identifier for {@code name}: characters other than {@code [A-Za-z0-9_]} become
   * {@code _}; a name that would be empty, start with a digit or an underscore (reserved in C for
   * the implementation), start with the prelude's {@code adj_} / {@code Adj} or equal a reserved
   * word gets the prefix {@code prefix}.
   */
  static String identifier(String name, String prefix) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = c < 128 && (Character.isLetterOrDigit(c) || c == '_');
      out.append(ok ? c : '_');
    }
    String s = out.toString();
    boolean unsafe = s.isEmpty() || Character.isDigit(s.charAt(0)) || s.charAt(0) == '_' || s.startsWith("adj_")
        || s.startsWith("Adj") || RESERVED.contains(s);
    return unsafe ? prefix + s : s;
  }

  /** Text safe inside a {@code //} comment: one line, printable ASCII only, no backslash (a line splice). */
  static String commentText(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      out.append(c >= 32 && c < 127 && c != '\\' ? c : '?');
    }
    return out.toString();
  }

  /** Names already taken in one C scope; {@link #claim} gives each new name a free variant. */
  static final class Scope {
    private final Set<String> taken;

    Scope() {
      this.taken = new HashSet<>();
    }

    private Scope(Set<String> taken) {
      this.taken = new HashSet<>(taken);
    }

    /** A nested scope: sees every name of this one; its own names stay in it. */
    Scope child() {
      return new Scope(taken);
    }

    /** {@code identifier(name, prefix)}, or it with {@code _2}, {@code _3}, … when taken. */
    String claim(String name, String prefix) {
      String base = identifier(name, prefix);
      String candidate = base;
      for (int n = 2; taken.contains(candidate); n++) candidate = base + "_" + n;
      taken.add(candidate);
      return candidate;
    }

    void reserve(String name) {
      taken.add(name);
    }
  }
}
