package dev.adjoint.compiler.ir;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.interp.EvalContext;
import dev.adjoint.runtime.DType;
import java.util.List;
import java.util.function.DoubleBinaryOperator;

/** An elementwise function of two operands of one shape and one element type. */
public record Binary(Fn fn) implements Op {
  public enum Fn {
    ADD((a, b) -> a + b),
    SUB((a, b) -> a - b),
    MUL((a, b) -> a * b),
    DIV((a, b) -> a / b),
    POW(Math::pow),
    /** Remainder with the sign of the divisor, as Python's {@code %} and {@code torch.remainder}. */
    MOD((a, b) -> a - Math.floor(a / b) * b),
    MAX(Math::max),
    MIN(Math::min),
    EQ((a, b) -> a == b ? 1 : 0),
    NE((a, b) -> a != b ? 1 : 0),
    LT((a, b) -> a < b ? 1 : 0),
    LE((a, b) -> a <= b ? 1 : 0),
    GT((a, b) -> a > b ? 1 : 0),
    GE((a, b) -> a >= b ? 1 : 0),
    AND((a, b) -> a != 0 && b != 0 ? 1 : 0),
    OR((a, b) -> a != 0 || b != 0 ? 1 : 0);

    private final DoubleBinaryOperator apply;

    Fn(DoubleBinaryOperator apply) {
      this.apply = apply;
    }

    public double apply(double a, double b) {
      return apply.applyAsDouble(a, b);
    }

    public boolean isComparison() {
      return this.ordinal() >= EQ.ordinal() && this.ordinal() <= GE.ordinal();
    }

    public boolean isLogical() {
      return this == AND || this == OR;
    }

    public String opName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The operator Java, C and CUDA spell this function with ({@code +}, {@code <=}, {@code &&}),
     * or null for those written as calls (pow, max, min): the one op table every printer shares.
     */
    public String infix() {
      return switch (this) {
        case ADD -> "+";
        case SUB -> "-";
        case MUL -> "*";
        case DIV -> "/";
        case MOD -> "%";
        case EQ -> "==";
        case NE -> "!=";
        case LT -> "<";
        case LE -> "<=";
        case GT -> ">";
        case GE -> ">=";
        case AND -> "&&";
        case OR -> "||";
        case POW, MAX, MIN -> null;
      };
    }
  }

  @Override
  public TensorType type(List<TensorType> inputs) {
    Op.expectArity(fn.opName(), inputs, 2);
    TensorType a = inputs.get(0);
    TensorType b = inputs.get(1);
    Op.expectSameShape(fn.opName(), a, b);
    if (a.dtype() != b.dtype()) {
      throw new ShapeError(fn.opName() + " needs operands of one element type, got " + a + " and " + b);
    }
    if (fn.isLogical() != (a.dtype() == DType.BOOL) && !(fn == Fn.EQ || fn == Fn.NE)) {
      throw new ShapeError(fn.opName() + " is not defined on " + a);
    }
    return fn.isComparison() || fn.isLogical() ? a.withDtype(DType.BOOL) : a;
  }

  @Override
  public DArray evaluate(List<DArray> inputs, DType dtype, int[] shape, EvalContext context) {
    DArray a = inputs.get(0);
    DArray b = inputs.get(1);
    double[] out = new double[a.size()];
    if (fn == Fn.DIV && a.dtype() == DType.I32) {
      // Integer division truncates toward zero as in C and Java; a zero divisor is an error.
      for (int i = 0; i < out.length; i++) {
        if (b.get(i) == 0) throw new ArithmeticException("integer division by zero");
        out[i] = (int) a.get(i) / (int) b.get(i);
      }
    } else if (fn == Fn.POW && a.dtype() == DType.I32) {
      for (int i = 0; i < out.length; i++) out[i] = intPow((int) a.get(i), (int) b.get(i));
    } else {
      for (int i = 0; i < out.length; i++) out[i] = fn.apply(a.get(i), b.get(i));
    }
    return DArray.of(dtype, shape, out);
  }

  private static int intPow(int base, int exponent) {
    if (exponent < 0) throw new ArithmeticException("negative exponent in i32 ^ i32");
    int r = 1;
    for (int i = 0; i < exponent; i++) r *= base;
    return r;
  }

  /**
   * Ties of {@code max}/{@code min} send the whole cotangent to the second operand, so
   * {@code relu(x) = maximum(x, 0)} has derivative 0 at 0 (LANGUAGE.md §6.1).
   */
  @Override
  public List<Node> vjp(Node y, Node g, Emitter e) {
    Node a = y.input(0);
    Node b = y.input(1);
    if (!a.type().dtype().isFloating()) return java.util.Arrays.asList(null, null);
    Node zero = e.fullLike(0, g);
    return switch (fn) {
      case ADD -> List.of(g, g);
      case SUB -> List.of(g, e.neg(g));
      case MUL -> List.of(e.mul(g, b), e.mul(g, a));
      case DIV -> List.of(e.div(g, b), e.neg(e.div(e.mul(g, y), b)));
      case POW -> {
        // d/da a^b = b·a^(b-1); d/db a^b = a^b·log(a), taken as 0 where a = 0 (as PyTorch does).
        Node da = e.mul(g, e.mul(b, e.binary(Fn.POW, a, e.sub(b, e.fullLike(1, b)))));
        Node logA = e.unary(Unary.Fn.LOG, e.select(e.binary(Fn.EQ, a, zero), e.fullLike(1, a), a));
        Node db = e.mul(g, e.mul(y, logA));
        yield List.of(da, db);
      }
      case MOD -> List.of(g, e.neg(e.mul(g, e.div(e.sub(a, y), b))));
      case MAX -> List.of(e.select(e.binary(Fn.GT, a, b), g, zero), e.select(e.binary(Fn.GT, a, b), zero, g));
      case MIN -> List.of(e.select(e.binary(Fn.LT, a, b), g, zero), e.select(e.binary(Fn.LT, a, b), zero, g));
      case EQ, NE, LT, LE, GT, GE, AND, OR -> java.util.Arrays.asList(null, null);
    };
  }

  @Override
  public String describe() {
    return fn.opName();
  }
}
