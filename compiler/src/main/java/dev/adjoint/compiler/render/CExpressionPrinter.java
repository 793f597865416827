package dev.adjoint.compiler.render;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.kernel.CFamilyOps;
import dev.adjoint.compiler.kernel.CFamilyOps.Level;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.runtime.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * Kernel IR expressions as C-family code, the same walk for every language: operators from
 * {@link CFamilyOps} with the fewest parentheses that keep the IR's grouping, casts, literals,
 * selects, and calls from the language's spelling table ({@link CLanguage}). Arithmetic follows the
 * kernel interpreter's types: bf16 and f16 values compute in float and round after every operation,
 * i32 {@code /} and {@code %} are floor operations (plain C operators where neither operand can be
 * negative), a function computed in a wider type rounds to its operand's type.
 *
 * <p>A backend extends it with what a kernel binds: its variables, arrays, buffers, sizes and
 * random draws ({@link #variable}, {@link #load}, ...), and may override {@link #select}.
 */
public abstract class CExpressionPrinter {
  protected final CLanguage language;

  protected CExpressionPrinter(CLanguage language) {
    this.language = language;
  }

  // ---- what a backend binds

  /** A scalar of the kernel; throws when unbound or read at another dtype. */
  protected abstract Code variable(KExpr.Var v);

  /** An element of a local array ({@link #index} prints the index). */
  protected abstract Code element(KExpr.Element e);

  /** An element of a buffer, as a value of the buffer's dtype ({@link #index} prints the index). */
  protected abstract Code load(KExpr.Load l);

  /** A run-time size. */
  protected abstract Code size(KExpr.Size s);

  /** The f32 uniform of a random draw (the printer converts it to the draw's dtype). */
  protected abstract Code uniform(KExpr.Random r);

  /** Whether an i32 variable is known never to be negative (a loop variable, a let of such values). */
  protected abstract boolean nonNegativeVariable(String name);

  /** Whether a size is never negative. */
  protected abstract boolean nonNegativeSize(Dim dim);

  /** The exception for an expression the kernel should not contain, with the message given. */
  protected abstract RuntimeException error(String message);

  /** {@code c ? a : b} of values of {@code s}'s dtype; a language may print a branch-free select instead. */
  protected Code select(KExpr.Select s, Code c, Code a, Code b) {
    return Code.build(Level.TERNARY, c.leadingMinus(), c.operand(Level.OR), " ? ", a.operand(Level.OR), " : ",
        b.operand(Level.OR));
  }

  // ---- the walk

  public final Code expr(KExpr e) {
    return switch (e) {
      case KExpr.Const c -> literal(c.dtype(), c.value());
      case KExpr.Var v -> variable(v);
      case KExpr.Size s -> size(s);
      case KExpr.Load l -> load(l);
      case KExpr.Element el -> element(el);
      case KExpr.Unary u -> unary(u);
      case KExpr.Binary b -> binary(b);
      case KExpr.Select s -> {
        if (s.a().dtype() != s.b().dtype()) throw error("where of " + s.a().dtype() + " and " + s.b().dtype());
        Code c = convert(expr(s.condition()), s.condition().dtype(), DType.BOOL);
        yield select(s, c, expr(s.a()), expr(s.b()));
      }
      case KExpr.Cast c -> convert(expr(c.x()), c.x().dtype(), c.dtype());
      case KExpr.Random r -> convert(uniform(r), DType.F32, r.dtype());
    };
  }

  /** An index: an i32 expression; {@code what} names it in the error otherwise. */
  public final Code index(KExpr e, String what) {
    if (e.dtype() != DType.I32) throw error(what + " must be i32, is " + e.dtype());
    return expr(e);
  }

  /** {@code e} rounded to {@code dtype}, as stores, declarations and assignments round. */
  public final Code converted(KExpr e, DType dtype) {
    return convert(expr(e), e.dtype(), dtype);
  }

  private Code unary(KExpr.Unary u) {
    Code x = expr(u.x());
    DType d = u.dtype();
    var fn = u.fn();
    boolean defined = fn == dev.adjoint.compiler.ir.Unary.Fn.NOT ? d == DType.BOOL
        : d != DType.BOOL && (!fn.floatingOnly() || d.isFloating());
    if (!defined) throw error(fn.opName() + " of " + (d == DType.BOOL ? "bool" : d.toString()));
    Spelling s = language.unary(fn, d);
    if (s == null) throw error(language.languageName() + " has no spelling of " + fn.opName() + " on " + d);
    return apply(s, d, List.of(x), List.of(d));
  }

  private Code binary(KExpr.Binary b) {
    DType t = b.a().dtype();
    if (t != b.b().dtype()) throw error(b.fn().opName() + " of " + t + " and " + b.b().dtype());
    Code x = expr(b.a());
    Code y = expr(b.b());
    Fn fn = b.fn();
    if (fn.isComparison()) {
      if (t == DType.BOOL && fn != Fn.EQ && fn != Fn.NE) throw error(fn.opName() + " of bool");
      return infix(fn, x, y);
    }
    if (fn.isLogical()) {
      if (t != DType.BOOL) throw error(fn.opName() + " of " + t);
      return infix(fn, x, y);
    }
    if (t == DType.BOOL) throw error(fn.opName() + " of bool");
    if (t == DType.I32 && (fn == Fn.DIV || fn == Fn.MOD) && plainIntegerDivision(b)) return infix(fn, x, y);
    Spelling s = language.binary(fn, t);
    if (s != null) return apply(s, t, List.of(x, y), List.of(t, t));
    if (CFamilyOps.infix(fn) == null) throw error(language.languageName() + " has no spelling of " + fn.opName() + " on " + t);
    // x + (-2) reads as x - 2, and is the same operation: IEEE subtraction adds the negation.
    if ((fn == Fn.ADD || fn == Fn.SUB) && b.b() instanceof KExpr.Const c && negativeLiteral(t, c.value())) {
      Code flipped = literal(t, -DArray.round(t, c.value()));
      return roundHalf(infix(fn == Fn.ADD ? "-" : "+", Level.ADDITIVE, x, flipped, true), t);
    }
    return roundHalf(infix(fn, x, y), t);
  }

  /** A spelled function of {@code operands} (of types {@code types}), its result rounded to {@code result}. */
  private Code apply(Spelling s, DType result, List<Code> operands, List<DType> types) {
    List<Object> pieces = new ArrayList<>(s.open());
    for (int i = 0; i < operands.size(); i++) {
      if (i > 0) pieces.addAll(s.separator());
      Code x = s.argumentsIn() == null ? operands.get(i) : convert(operands.get(i), types.get(i), s.argumentsIn());
      pieces.add(s.prefix() ? x.prefixOperand() : x);
    }
    pieces.addAll(s.close());
    Code call = Code.build(s.level(), s.startsWithMinus(), pieces.toArray());
    return s.computesIn() == null ? call : convert(call, s.computesIn(), result);
  }

  /** A literal whose sign bit is set and whose negation is a literal of the type too. */
  private static boolean negativeLiteral(DType t, double value) {
    double v = DArray.round(t, value);
    if (Double.isNaN(v) || Double.doubleToRawLongBits(v) >= 0) return false;
    return t != DType.I32 || v != Integer.MIN_VALUE;
  }

  /** Integer {@code /} and {@code %} are the floor operations when neither operand can be negative. */
  private boolean plainIntegerDivision(KExpr.Binary b) {
    boolean zeroDivisor = b.b() instanceof KExpr.Const c && c.value() == 0;
    return !zeroDivisor && nonNegative(b.a()) && nonNegative(b.b());
  }

  /** Whether an i32 expression is known never to be negative. */
  public final boolean nonNegative(KExpr e) {
    return switch (e) {
      case KExpr.Const c -> c.dtype() == DType.I32 && DArray.round(DType.I32, c.value()) >= 0;
      case KExpr.Size s -> nonNegativeSize(s.dim());
      case KExpr.Var v -> v.dtype() == DType.I32 && nonNegativeVariable(v.name());
      case KExpr.Binary b -> switch (b.fn()) {
        case ADD, MUL, DIV, MOD, MIN -> b.a().dtype() == DType.I32 && nonNegative(b.a()) && nonNegative(b.b());
        case MAX -> b.a().dtype() == DType.I32 && (nonNegative(b.a()) || nonNegative(b.b()));
        default -> false;
      };
      default -> false;
    };
  }

  private static Code infix(Fn fn, Code x, Code y) {
    return infix(CFamilyOps.infix(fn), CFamilyOps.level(fn), x, y, CFamilyOps.chains(fn));
  }

  /**
   * {@code x op y}. A left-associative operator takes a left operand of its own level
   * unparenthesised ({@code a - b - c}); the right operand must bind tighter, so {@code a - (b - c)}
   * and {@code a + (b + c)} (not associative in floating point) keep their parentheses.
   */
  public static Code infix(String op, Level level, Code x, Code y, boolean chains) {
    Level min = chains ? level : level.tighter();
    Code left = x.operand(min);
    // x * (-2.0f) and x - (-y): a minus right after an arithmetic operator reads as a typo.
    boolean arithmetic = level == Level.ADDITIVE || level == Level.MULTIPLICATIVE;
    Code right = y.leadingMinus() && arithmetic ? y.parenthesized() : y.operand(level.tighter());
    return Code.build(level, x.leadingMinus() && !x.level().bindsLooserThan(min), left, " " + op + " ", right);
  }

  /** {@code (type) x}. */
  public final Code cast(DType type, Code x) {
    return castTo(language.typeName(type), x);
  }

  private static Code castTo(Object type, Code x) {
    return Code.of(Level.PREFIX, "(", type, ") ", x.prefixOperand());
  }

  /** Float arithmetic on bf16 or f16 values, rounded back to the half type. */
  private Code roundHalf(Code floatResult, DType d) {
    return d == DType.F16 || d == DType.BF16 ? language.roundToHalf(floatResult, DType.F32, d) : floatResult;
  }

  /** {@code x} of type {@code from} converted to {@code to} as the interpreter rounds. */
  public final Code convert(Code x, DType from, DType to) {
    if (from == to) return x;
    if (from == DType.BOOL) {
      DType values = to == DType.F64 || to == DType.I32 ? to : DType.F32;
      return Code.of(Level.TERNARY, x.operand(Level.OR), " ? ", literal(values, 1), " : ", literal(values, 0));
    }
    return switch (to) {
      case F64 -> cast(DType.F64, x);
      // bf16 and f16 values are floats already: widening is exact.
      case F32 -> from == DType.F64 || from == DType.I32 ? cast(DType.F32, x) : x;
      case BF16, F16 -> language.roundToHalf(x, from, to);
      case I32 -> cast(DType.I32, castTo(language.wideInteger(), x));
      case BOOL -> infix("!=", Level.EQUALITY, x, Code.primary(from == DType.I32 ? "0" : "0.0f"), false);
    };
  }

  /** A literal of the dtype, with the value the interpreter gives the constant. */
  public final Code literal(DType dtype, double value) {
    return language.literal(dtype, DArray.round(dtype, value));
  }
}
