package dev.adjoint.compiler.ast;

import dev.adjoint.compiler.diag.Span;
import java.util.List;
import java.util.Optional;

/** Expressions of LANGUAGE.md §4. Every node carries the span of its source text. */
public sealed interface Expr {
  Span span();

  /** An integer literal: {@code 3}. */
  record IntLit(long value, Span span) implements Expr {}

  /** A floating-point literal: {@code 2.5}, {@code 1e-9}, {@code inf}. */
  record FloatLit(double value, String text, Span span) implements Expr {}

  /** {@code true} or {@code false}. */
  record BoolLit(boolean value, Span span) implements Expr {}

  /** A name used as a value: a local, a param, a const, a dim, an element type ({@code f64}). */
  record Ref(Name name, Span span) implements Expr {
    public Ref(Name name) {
      this(name, name.span());
    }
  }

  /** {@code l op r}. */
  record Binary(BinaryOp op, Expr left, Expr right, Span span) implements Expr {}

  /** {@code -x} or {@code !b}. */
  record Unary(UnaryOp op, Expr operand, Span span) implements Expr {}

  /** {@code callee(args, name=value)}; the callee is a {@link Ref} or a {@link Member}. */
  record Call(Expr callee, List<Expr> args, List<KeywordArg> keywords, Span span) implements Expr {
    public Call {
      args = List.copyOf(args);
      keywords = List.copyOf(keywords);
    }
  }

  /** {@code name=value} in a call. */
  record KeywordArg(Name name, Expr value, Span span) {}

  /** {@code target.member}: {@code x.T}, or {@code attn.other} as a callee. */
  record Member(Expr target, Name member, Span span) implements Expr {}

  /** {@code target[s1, s2, ...]}: selection, slicing, or an element access in index notation. */
  record Index(Expr target, List<Subscript> subscripts, Span span) implements Expr {
    public Index {
      subscripts = List.copyOf(subscripts);
    }
  }

  /** {@code sum[i, j](body)}: a reduction over index variables in index notation. */
  record Reduce(Name op, List<Name> indices, Expr body, Span span) implements Expr {
    public Reduce {
      indices = List.copyOf(indices);
    }
  }

  /** {@code [a, b]}: a list, for shapes and axes. */
  record ListLit(List<Expr> elements, Span span) implements Expr {
    public ListLit {
      elements = List.copyOf(elements);
    }
  }

  /** {@code (a, b)}: a tuple, as returned by {@code return (a, b)}. */
  record Tuple(List<Expr> elements, Span span) implements Expr {
    public Tuple {
      elements = List.copyOf(elements);
    }
  }

  /** {@code ...} in a tensor type: zero or more leading axes. */
  record Ellipsis(Span span) implements Expr {}

  /** One entry between the brackets of an {@link Index}. */
  sealed interface Subscript {
    Span span();
  }

  /** A single position: {@code x[0]}, {@code x[i + 1]}. */
  record At(Expr index, Span span) implements Subscript {}

  /** {@code lo:hi}, either bound optional; {@code :} alone is the whole axis. */
  record Range(Optional<Expr> low, Optional<Expr> high, Span span) implements Subscript {}

  enum BinaryOp {
    ADD("+"), SUB("-"), MUL("*"), DIV("/"), MOD("%"), MATMUL("@"), POW("^"),
    LT("<"), LE("<="), GT(">"), GE(">="), EQ("=="), NE("!=");

    public final String symbol;

    BinaryOp(String symbol) {
      this.symbol = symbol;
    }

    public boolean isComparison() {
      return ordinal() >= LT.ordinal();
    }
  }

  enum UnaryOp {
    NEG("-"), NOT("!");

    public final String symbol;

    UnaryOp(String symbol) {
      this.symbol = symbol;
    }
  }
}
