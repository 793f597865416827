package dev.adjoint.compiler.kernel;

import dev.adjoint.compiler.ir.Binary;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.runtime.DType;

/**
 * The op table of the C-family printers (Java, CUDA C): how each kernel IR operator is spelled and
 * how tightly it binds. What an op computes is its {@link Unary.Fn#apply} / {@link Binary.Fn#apply};
 * a printer only chooses the text, so every target prints the same operation with the same
 * parenthesisation. Targets differ in the functions: Java calls {@code Math.exp} in double, C calls
 * {@code expf} on floats.
 */
public final class CFamilyOps {
  private CFamilyOps() {}

  /** Binding strength of an expression, loosest first, as in C and Java. */
  public enum Level {
    /** {@code c ? a : b} */
    TERNARY,
    OR,
    AND,
    EQUALITY,
    RELATION,
    ADDITIVE,
    MULTIPLICATIVE,
    /** {@code -x}, {@code !x}, casts */
    PREFIX,
    /** literals, names, calls, subscripts */
    PRIMARY;

    /** Whether an operand of this level needs parentheses where at least {@code min} is expected. */
    public boolean bindsLooserThan(Level min) {
      return compareTo(min) < 0;
    }

    /** The next tighter level: what the right operand of a left-associative operator must bind at. */
    public Level tighter() {
      return this == PRIMARY ? PRIMARY : values()[ordinal() + 1];
    }
  }

  /** The infix spelling of a binary op ({@code +}, {@code <=}, {@code &&}), or null for calls (pow, max, min). */
  public static String infix(Binary.Fn fn) {
    return fn.infix();
  }

  /** The level of a binary op written infix; {@link Level#PRIMARY} for those written as calls. */
  public static Level level(Binary.Fn fn) {
    return switch (fn) {
      case OR -> Level.OR;
      case AND -> Level.AND;
      case EQ, NE -> Level.EQUALITY;
      case LT, LE, GT, GE -> Level.RELATION;
      case ADD, SUB -> Level.ADDITIVE;
      case MUL, DIV, MOD -> Level.MULTIPLICATIVE;
      case POW, MAX, MIN -> Level.PRIMARY;
    };
  }

  /**
   * Whether {@code a op b op c} may print without parentheses as {@code (a op b) op c}: true for
   * arithmetic and logic (left-associative), false for comparisons, which never chain.
   */
  public static boolean chains(Binary.Fn fn) {
    return !fn.isComparison();
  }

  /** The prefix spelling of a unary op ({@code -}, {@code !}), or null for those written as calls. */
  public static String prefix(Unary.Fn fn) {
    return switch (fn) {
      case NEG -> "-";
      case NOT -> "!";
      default -> null;
    };
  }

  /**
   * The C standard library function for a unary op on a float type ({@code expf} on f32,
   * {@code exp} on f64), or null for ops that are not library calls (neg, not, sign, rsqrt, which
   * a target spells its own way). bf16 and f16 values compute in float.
   */
  public static String libraryFunction(Unary.Fn fn, DType dtype) {
    String base = switch (fn) {
      case EXP -> "exp";
      case LOG -> "log";
      case LOG1P -> "log1p";
      case SQRT -> "sqrt";
      case SIN -> "sin";
      case COS -> "cos";
      case TANH -> "tanh";
      case ERF -> "erf";
      case ABS -> "fabs";
      case NEG, NOT, SIGN, RSQRT -> null;
    };
    if (base == null || !dtype.isFloating()) return null;
    return dtype == DType.F64 ? base : base + "f";
  }

  /** The C library function of a call-style binary op on a float type ({@code powf}, {@code fmax}), or null. */
  public static String libraryFunction(Binary.Fn fn, DType dtype) {
    String base = switch (fn) {
      case POW -> "pow";
      case MAX -> "fmax";
      case MIN -> "fmin";
      default -> null;
    };
    if (base == null || !dtype.isFloating()) return null;
    return dtype == DType.F64 ? base : base + "f";
  }
}
