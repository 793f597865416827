package dev.adjoint.compiler.kernel;

import dev.adjoint.compiler.ir.Binary;
import dev.adjoint.compiler.ir.Unary;

/**
 * The op table of the C-family printers (Java, CUDA C): how each kernel IR operator is spelled and
 * how tightly it binds. What an op computes is its {@link Unary.Fn#apply} / {@link Binary.Fn#apply};
 * a printer only chooses the text, so every target prints the same operation with the same
 * parenthesisation. Targets differ in the functions, which each spells in its one table
 * ({@link dev.adjoint.compiler.render.CLanguage#unary}): Java calls {@code Math.exp} in double, C
 * calls {@code expf} on floats.
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
}
