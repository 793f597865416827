package dev.adjoint.compiler.frontend;

import dev.adjoint.compiler.ast.Expr;
import dev.adjoint.compiler.diag.Span;
import dev.adjoint.compiler.ir.Dim;
import java.util.Optional;

/** Folds operators over compile-time numbers: sizes stay symbolic polynomials, floats fold. */
final class StaticArithmetic {
  private StaticArithmetic() {}

  static Optional<Value> fold(Expr.BinaryOp op, Value l, Value r, Span span) {
    if (l instanceof Value.StaticInt a && r instanceof Value.StaticInt b) return Optional.of(ints(op, a.dim(), b.dim(), span));
    if (isNumber(l) && isNumber(r) && (l instanceof Value.StaticFloat || r instanceof Value.StaticFloat)) {
      double x = number(l, span);
      double y = number(r, span);
      return Optional.of(switch (op) {
        case ADD -> new Value.StaticFloat(x + y);
        case SUB -> new Value.StaticFloat(x - y);
        case MUL -> new Value.StaticFloat(x * y);
        case DIV -> new Value.StaticFloat(x / y);
        case MOD -> new Value.StaticFloat(x - Math.floor(x / y) * y);
        case POW -> new Value.StaticFloat(Math.pow(x, y));
        case LT -> new Value.StaticBool(x < y);
        case LE -> new Value.StaticBool(x <= y);
        case GT -> new Value.StaticBool(x > y);
        case GE -> new Value.StaticBool(x >= y);
        case EQ -> new Value.StaticBool(x == y);
        case NE -> new Value.StaticBool(x != y);
        case MATMUL -> throw new ElabError(span, "'@' needs tensors, got numbers");
      });
    }
    if (l instanceof Value.StaticBool a && r instanceof Value.StaticBool b) {
      return switch (op) {
        case EQ -> Optional.of(new Value.StaticBool(a.value() == b.value()));
        case NE -> Optional.of(new Value.StaticBool(a.value() != b.value()));
        default -> throw new ElabError(span, "'" + op.symbol + "' is not defined on bool");
      };
    }
    return Optional.empty();
  }

  private static boolean isNumber(Value v) {
    return v instanceof Value.StaticFloat || (v instanceof Value.StaticInt i && i.dim().isConstant());
  }

  private static double number(Value v, Span span) {
    return switch (v) {
      case Value.StaticFloat f -> f.value();
      case Value.StaticInt i -> i.dim().constant();
      default -> throw new ElabError(span, "expected a number, got " + Value.describe(v));
    };
  }

  private static Value ints(Expr.BinaryOp op, Dim a, Dim b, Span span) {
    try {
      return switch (op) {
        case ADD -> new Value.StaticInt(a.plus(b));
        case SUB -> new Value.StaticInt(a.minus(b));
        case MUL -> new Value.StaticInt(a.times(b));
        case DIV -> {
          if (b.isConstant() && b.constant() == 0) throw new ElabError(span, "division by zero in " + a + " / " + b);
          Dim q = a.dividedBy(b);
          if (q == null) {
            throw new ElabError(span, a + " / " + b + " is not an exact division"
                + (a.isConstant() && b.isConstant() ? "; write " + a + ".0 / " + b + " for a fraction" : ""));
          }
          yield new Value.StaticInt(q);
        }
        case MOD -> {
          if (!a.isConstant() || !b.isConstant()) throw new ElabError(span, "'%' needs constant sizes, got " + a + " % " + b);
          if (b.constant() == 0) throw new ElabError(span, "division by zero in " + a + " % " + b);
          yield Value.StaticInt.of(Math.floorMod(a.constant(), b.constant()));
        }
        case POW -> {
          if (!a.isConstant() || !b.isConstant() || b.constant() < 0) {
            throw new ElabError(span, "'^' on integers needs constant operands and a non-negative exponent");
          }
          long r = 1;
          for (long i = 0; i < b.constant(); i++) r = Math.multiplyExact(r, a.constant());
          yield Value.StaticInt.of(r);
        }
        case EQ -> new Value.StaticBool(a.equals(b));
        case NE -> new Value.StaticBool(!a.equals(b));
        case LT, LE, GT, GE -> {
          Dim diff = a.minus(b);
          if (!diff.isConstant()) throw new ElabError(span, "cannot compare sizes " + a + " and " + b + " at compile time");
          long d = diff.constant();
          yield new Value.StaticBool(switch (op) {
            case LT -> d < 0;
            case LE -> d <= 0;
            case GT -> d > 0;
            default -> d >= 0;
          });
        }
        case MATMUL -> throw new ElabError(span, "'@' needs tensors, got integers");
      };
    } catch (ArithmeticException e) {
      throw new ElabError(span, "integer overflow in " + a + " " + op.symbol + " " + b);
    }
  }
}
