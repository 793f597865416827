package dev.adjoint.compiler.render;

import dev.adjoint.compiler.kernel.CFamilyOps.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A printed expression: its pieces, how tightly it binds, and whether its text starts with a
 * minus. A piece is text ({@link String}) or a reference a language resolves when it writes the
 * code out (Java: a class, imported through JavaPoet's {@code $T}); {@link #text} writes each piece
 * with {@code String.valueOf}, which is what a language of text pieces only (CUDA C) prints.
 */
public record Code(List<Object> parts, Level level, boolean leadingMinus) {
  public Code {
    parts = List.copyOf(parts);
    Objects.requireNonNull(level, "level");
  }

  /** The pieces in order; a {@link Code} among them is spliced in as its own pieces. */
  public static Code build(Level level, boolean leadingMinus, Object... pieces) {
    List<Object> parts = new ArrayList<>();
    for (Object p : pieces) {
      Objects.requireNonNull(p, "a piece of code");
      if (p instanceof Boolean) throw new IllegalArgumentException("a boolean is not a piece of code (Code.build takes the leading minus)");
      if (p instanceof Code c) parts.addAll(c.parts);
      else parts.add(p);
    }
    return new Code(parts, level, leadingMinus);
  }

  public static Code of(Level level, Object... pieces) {
    return build(level, false, pieces);
  }

  /** A name, literal, call or subscript. */
  public static Code primary(Object... pieces) {
    return build(Level.PRIMARY, false, pieces);
  }

  /** A number, binding as a prefix expression when negative. */
  public static Code number(String text) {
    boolean negative = text.startsWith("-");
    return build(negative ? Level.PREFIX : Level.PRIMARY, negative, text);
  }

  /** {@code (this)}. */
  public Code parenthesized() {
    return primary("(", this, ")");
  }

  /** This code where an operand binding at least {@code min} is expected: parenthesised when it binds looser. */
  public Code operand(Level min) {
    return level.bindsLooserThan(min) ? parenthesized() : this;
  }

  /** This code as the operand of a prefix operator or cast: parenthesised when looser or starting with a minus. */
  public Code prefixOperand() {
    return leadingMinus || level.bindsLooserThan(Level.PREFIX) ? parenthesized() : this;
  }

  /** The code as text, each piece written with {@code String.valueOf}. */
  public String text() {
    StringBuilder out = new StringBuilder();
    for (Object p : parts) out.append(p);
    return out.toString();
  }

  @Override
  public String toString() {
    return text();
  }
}
