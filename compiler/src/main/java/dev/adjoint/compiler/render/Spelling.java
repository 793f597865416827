package dev.adjoint.compiler.render;

import dev.adjoint.compiler.kernel.CFamilyOps.Level;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * How a language writes one function of one or two operands: the pieces before, between and after
 * the operands ({@code Math.exp(} x {@code )}, {@code -} x, {@code adj_max(} x {@code , } y
 * {@code )}), how the result binds, and the types involved. An entry of a language's spelling
 * table ({@link CLanguage#unary}, {@link CLanguage#binary}).
 *
 * @param open the pieces before the first operand
 * @param separator the pieces between two operands (empty for one)
 * @param close the pieces after the last operand
 * @param level how the whole binds
 * @param prefix whether it is a prefix operator: its operand is parenthesised when it binds looser
 *     than a prefix expression or starts with a minus; a call's operands never are
 * @param computesIn the type the result is computed in, rounded to the operands' type after
 *     ({@code Math.exp} computes in double); null when the result is exact in the operands' type
 *     ({@code abs}, {@code max}, integer floor division)
 * @param argumentsIn the type the operands are converted to first (C's {@code adj_floormod} takes
 *     doubles); null to pass them as they are
 */
public record Spelling(List<Object> open, List<Object> separator, List<Object> close, Level level, boolean prefix,
    DType computesIn, DType argumentsIn) {
  public Spelling {
    open = List.copyOf(open);
    separator = List.copyOf(separator);
    close = List.copyOf(close);
    Objects.requireNonNull(level, "level");
  }

  /**
   * A call: {@code callee(x)} or {@code callee(x, y)}; the callee's pieces may be text and class
   * references ({@code Math.class, ".exp"}).
   */
  public static Spelling call(DType computesIn, Object... callee) {
    List<Object> open = new ArrayList<>(Arrays.asList(callee));
    open.add("(");
    return new Spelling(open, List.of(", "), List.of(")"), Level.PRIMARY, false, computesIn, null);
  }

  /** A call whose result is exact in the operands' type. */
  public static Spelling exactCall(Object... callee) {
    return call(null, callee);
  }

  /** A prefix operator ({@code -x}, {@code !x}): exact. */
  public static Spelling prefixOperator(String op) {
    return new Spelling(List.of(op), List.of(), List.of(), Level.PREFIX, true, null, null);
  }

  /** This spelling with its operands converted to {@code type} first. */
  public Spelling withArgumentsIn(DType type) {
    return new Spelling(open, separator, close, level, prefix, computesIn, type);
  }

  /** Whether the printed text starts with a minus. */
  boolean startsWithMinus() {
    return !open.isEmpty() && open.get(0) instanceof String s && s.startsWith("-");
  }
}
