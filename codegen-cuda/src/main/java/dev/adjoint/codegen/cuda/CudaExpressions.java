package dev.adjoint.codegen.cuda;

import dev.adjoint.compiler.interp.DArray;
import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.kernel.CFamilyOps;
import dev.adjoint.compiler.kernel.CFamilyOps.Level;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.runtime.DType;
import java.util.function.Function;

/**
 * Kernel IR expressions as CUDA C, through the shared {@link CFamilyOps} table. Arithmetic follows
 * the kernel interpreter's types: f32 in {@code float}, f64 in {@code double}, bf16 and f16 in
 * {@code float} rounded after every operation, i32 {@code /} and {@code %} as floor operations
 * (plain C operators where both operands are known to be non-negative), {@code max}/{@code min}
 * propagating NaN. Functions use the single-precision library ({@code expf}), within a few ulp of
 * the interpreter's correctly rounded double results.
 */
final class CudaExpressions {
  /** A printed expression: its text, how tightly it binds, and whether it starts with a minus. */
  record Code(String text, Level level, boolean leadingMinus) {
    static Code primary(String text) {
      return new Code(text, Level.PRIMARY, false);
    }
  }

  /** What the printer needs to know about names: the C name and facts of each IR variable, each size. */
  interface Names {
    /** The C name of a scalar; throws when unbound or read at the wrong dtype. */
    String scalar(String irName, DType dtype);

    /** The C name of a local array. */
    String array(String irName, DType dtype);

    /** Whether an i32 variable is known never to be negative (a loop variable, a let of such values). */
    boolean nonNegative(String irName);

    /** The C name of a buffer's pointer, after checking the kernel may read it. */
    String buffer(dev.adjoint.compiler.kernel.Buffer buffer);

    /** The C name of the kernel parameter holding a run-time size. */
    String size(Dim dim);

    /** The C names of the seed and step parameters (the kernel draws random numbers). */
    String seed();

    String step();
  }

  private final Names names;

  CudaExpressions(Names names) {
    this.names = names;
  }

  /** The C type a value of {@code dtype} is computed in. */
  static String registerType(DType dtype) {
    return switch (dtype) {
      case F32, BF16, F16 -> "float";
      case F64 -> "double";
      case I32 -> "int";
      case BOOL -> "bool";
    };
  }

  /** The C type a buffer of {@code dtype} stores its elements as. */
  static String storageType(DType dtype) {
    return switch (dtype) {
      case F32 -> "float";
      case F64 -> "double";
      case I32 -> "int";
      case BOOL -> "unsigned char";
      case BF16 -> "adj_bf16_t";
      case F16 -> "adj_f16_t";
    };
  }

  Code expr(KExpr e) {
    return switch (e) {
      case KExpr.Const c -> literal(c.dtype(), c.value());
      case KExpr.Var v -> Code.primary(names.scalar(v.name(), v.dtype()));
      case KExpr.Size s -> size(s.dim());
      case KExpr.Load l -> load(l);
      case KExpr.Element el -> Code.primary(names.array(el.array(), el.dtype()) + "[" + index(el.index()).text() + "]");
      case KExpr.Unary u -> unary(u);
      case KExpr.Binary b -> binary(b);
      case KExpr.Select s -> {
        Code c = convert(expr(s.condition()), s.condition().dtype(), DType.BOOL);
        Code a = expr(s.a());
        Code b = expr(s.b());
        yield new Code(operand(c, Level.OR) + " ? " + operand(a, Level.OR) + " : " + operand(b, Level.OR),
            Level.TERNARY, c.leadingMinus());
      }
      case KExpr.Cast c -> convert(expr(c.x()), c.x().dtype(), c.dtype());
      case KExpr.Random r -> {
        Code idx = index(r.index());
        Code u = Code.primary("adj_uniform(" + names.seed() + ", " + names.step() + ", 0x"
            + Integer.toHexString(r.site()) + "u, (unsigned long long) (long long) (" + idx.text() + "))");
        yield convert(u, DType.F32, r.dtype());
      }
    };
  }

  Code index(KExpr e) {
    if (e.dtype() != DType.I32) throw new IllegalArgumentException("an index must be i32, is " + e.dtype());
    return expr(e);
  }

  /** {@code e} rounded to {@code dtype}, as stores, declarations and assignments round. */
  Code converted(KExpr e, DType dtype) {
    return convert(expr(e), e.dtype(), dtype);
  }

  private Code load(KExpr.Load l) {
    String element = names.buffer(l.buffer()) + "[" + index(l.index()).text() + "]";
    return switch (l.buffer().type().dtype()) {
      case BOOL -> new Code(element + " != 0", Level.EQUALITY, false);
      case BF16 -> Code.primary("adj_bf16_load(" + element + ")");
      case F16 -> Code.primary("adj_f16_load(" + element + ")");
      default -> Code.primary(element);
    };
  }

  /** The value to write into an element of a buffer of {@code dtype}. */
  static String storeValue(Code value, DType dtype) {
    return switch (dtype) {
      case BOOL -> "(unsigned char) " + parenthesizedIfNeeded(value, Level.PREFIX);
      case BF16 -> "adj_bf16_store(" + value.text() + ")";
      case F16 -> "adj_f16_store(" + value.text() + ")";
      default -> value.text();
    };
  }

  private Code unary(KExpr.Unary u) {
    Code x = expr(u.x());
    DType d = u.dtype();
    var fn = u.fn();
    String prefix = CFamilyOps.prefix(fn);
    if (prefix != null) {
      if ((fn == dev.adjoint.compiler.ir.Unary.Fn.NOT) != (d == DType.BOOL)) {
        throw new IllegalArgumentException(fn.opName() + " of " + d);
      }
      return prefix(prefix, x);
    }
    if (d == DType.BOOL) throw new IllegalArgumentException(fn.opName() + " of bool");
    return switch (fn) {
      case SIGN -> Code.primary("adj_sign(" + x.text() + ")");
      case ABS -> d == DType.I32 ? new Code(operand(x, Level.RELATION) + " < 0 ? -" + parenthesizedIfNeeded(x,
          Level.PREFIX) + " : " + operand(x, Level.OR), Level.TERNARY, false)
          : Code.primary(CFamilyOps.libraryFunction(fn, d) + "(" + x.text() + ")");
      case RSQRT -> {
        requireFloating(fn.opName(), d);
        yield roundHalf(Code.primary((d == DType.F64 ? "rsqrt(" : "rsqrtf(") + x.text() + ")"), d);
      }
      default -> {
        requireFloating(fn.opName(), d);
        yield roundHalf(Code.primary(CFamilyOps.libraryFunction(fn, d) + "(" + x.text() + ")"), d);
      }
    };
  }

  private static void requireFloating(String op, DType d) {
    if (!d.isFloating()) throw new IllegalArgumentException(op + " of " + d);
  }

  private Code binary(KExpr.Binary b) {
    DType t = b.a().dtype();
    if (t != b.b().dtype()) throw new IllegalArgumentException(b.fn().opName() + " of " + t + " and " + b.b().dtype());
    Code x = expr(b.a());
    Code y = expr(b.b());
    Fn fn = b.fn();
    if (fn.isComparison()) {
      if (t == DType.BOOL && fn != Fn.EQ && fn != Fn.NE) throw new IllegalArgumentException(fn.opName() + " of bool");
      return infix(fn, x, y);
    }
    if (fn.isLogical()) {
      if (t != DType.BOOL) throw new IllegalArgumentException(fn.opName() + " of " + t);
      return infix(fn, x, y);
    }
    if (t == DType.BOOL) throw new IllegalArgumentException(fn.opName() + " of bool");
    return switch (fn) {
      case ADD, SUB, MUL -> roundHalf(infix(fn, x, y), t);
      case DIV -> t == DType.I32 && !plainIntegerDivision(b) ? call("adj_floordiv", x, y) : roundHalf(infix(fn, x, y), t);
      case MOD -> switch (t) {
        case I32 -> plainIntegerDivision(b) ? infix(fn, x, y) : call("adj_floormod", x, y);
        case F64 -> call("adj_floormod", x, y);
        default -> narrow(Code.primary("adj_floormod((double) " + parenthesizedIfNeeded(x, Level.PREFIX)
            + ", (double) " + parenthesizedIfNeeded(y, Level.PREFIX) + ")"), t);
      };
      case POW -> t == DType.I32 ? call("adj_ipow", x, y) : roundHalf(call(CFamilyOps.libraryFunction(fn, t), x, y), t);
      // The larger or smaller operand is one of them, already of the type: nothing to round.
      case MAX -> call("adj_max", x, y);
      case MIN -> call("adj_min", x, y);
      default -> throw new AssertionError(fn);
    };
  }

  private static Code call(String function, Code x, Code y) {
    return Code.primary(function + "(" + x.text() + ", " + y.text() + ")");
  }

  /** Integer {@code /} and {@code %} are the floor operations when neither operand can be negative. */
  private boolean plainIntegerDivision(KExpr.Binary b) {
    boolean zeroDivisor = b.b() instanceof KExpr.Const c && c.value() == 0;
    return !zeroDivisor && nonNegative(b.a()) && nonNegative(b.b());
  }

  boolean nonNegative(KExpr e) {
    return switch (e) {
      case KExpr.Const c -> c.dtype() == DType.I32 && c.value() >= 0;
      case KExpr.Size s -> !s.dim().toString().contains("-");
      case KExpr.Var v -> v.dtype() == DType.I32 && names.nonNegative(v.name());
      case KExpr.Binary b -> switch (b.fn()) {
        case ADD, MUL, DIV, MOD, MIN -> b.a().dtype() == DType.I32 && nonNegative(b.a()) && nonNegative(b.b());
        case MAX -> b.a().dtype() == DType.I32 && (nonNegative(b.a()) || nonNegative(b.b()));
        default -> false;
      };
      default -> false;
    };
  }

  /**
   * {@code x op y}. A left-associative operator takes a left operand of its own level
   * unparenthesised ({@code a - b - c}); the right operand must bind tighter, so {@code a - (b - c)}
   * and {@code a + (b + c)} (not associative in floating point) keep their parentheses.
   */
  private static Code infix(Fn fn, Code x, Code y) {
    Level level = CFamilyOps.level(fn);
    Level min = CFamilyOps.chains(fn) ? level : level.tighter();
    String left = operand(x, min);
    // x * (-2.0f) and x - (-y): a minus right after an arithmetic operator reads as a typo.
    boolean arithmetic = level == Level.ADDITIVE || level == Level.MULTIPLICATIVE;
    String right = y.leadingMinus() && arithmetic ? "(" + y.text() + ")" : operand(y, level.tighter());
    return new Code(left + " " + CFamilyOps.infix(fn) + " " + right, level,
        x.leadingMinus() && !x.level().bindsLooserThan(min));
  }

  private static Code prefix(String op, Code x) {
    String inner = x.leadingMinus() || x.level().bindsLooserThan(Level.PREFIX) ? "(" + x.text() + ")" : x.text();
    return new Code(op + inner, Level.PREFIX, op.equals("-"));
  }

  private static Code cast(String type, Code x) {
    return new Code("(" + type + ") " + parenthesizedIfNeeded(x, Level.PREFIX), Level.PREFIX, false);
  }

  static String operand(Code x, Level min) {
    return x.level().bindsLooserThan(min) ? "(" + x.text() + ")" : x.text();
  }

  private static String parenthesizedIfNeeded(Code x, Level min) {
    return x.level().bindsLooserThan(min) || x.leadingMinus() ? "(" + x.text() + ")" : x.text();
  }

  /** A float or double value rounded to {@code d}. */
  private static Code narrow(Code x, DType d) {
    return switch (d) {
      case F64 -> x;
      case F32 -> cast("float", x);
      case BF16 -> Code.primary("adj_bf16(" + x.text() + ")");
      case F16 -> Code.primary("adj_f16(" + x.text() + ")");
      case I32 -> cast("int", cast("long long", x));
      case BOOL -> new Code(operand(x, Level.EQUALITY) + " != 0", Level.EQUALITY, false);
    };
  }

  /** Float arithmetic on bf16 or f16 values, rounded back to the half type. */
  private static Code roundHalf(Code floatResult, DType d) {
    return d == DType.F16 || d == DType.BF16 ? narrow(floatResult, d) : floatResult;
  }

  /** {@code x} of type {@code from} converted to {@code to} as the interpreter rounds. */
  static Code convert(Code x, DType from, DType to) {
    if (from == to) return x;
    if (from == DType.BOOL) {
      String[] values = switch (to) {
        case F64 -> new String[] {"1.0", "0.0"};
        case I32 -> new String[] {"1", "0"};
        default -> new String[] {"1.0f", "0.0f"};
      };
      return new Code(operand(x, Level.OR) + " ? " + values[0] + " : " + values[1], Level.TERNARY, false);
    }
    return switch (to) {
      case F64 -> cast("double", x);
      // bf16 and f16 values are floats already: widening is exact.
      case F32 -> from == DType.F64 || from == DType.I32 ? cast("float", x) : x;
      case BF16, F16 -> narrow(from == DType.F64 || from == DType.I32 ? cast("float", x) : x, to);
      case I32 -> cast("int", cast("long long", x));
      case BOOL -> new Code(operand(x, Level.EQUALITY) + " != " + (from == DType.I32 ? "0" : "0.0f"), Level.EQUALITY,
          false);
    };
  }

  private Code size(Dim dim) {
    return Code.primary(names.size(dim));
  }

  /** A literal of the dtype, with the value the interpreter gives the constant. */
  static Code literal(DType dtype, double value) {
    double v = DArray.round(dtype, value);
    return switch (dtype) {
      case BOOL -> Code.primary(v != 0 ? "true" : "false");
      case I32 -> v == Integer.MIN_VALUE ? Code.primary("(-2147483647 - 1)") : number(Integer.toString((int) v));
      case F64 -> Double.isNaN(v) ? Code.primary("adj_nan_d()")
          : Double.isInfinite(v) ? infinity(v > 0, "adj_inf_d()")
          : number(Double.toString(v).replace('E', 'e'));
      case F32, F16, BF16 -> Double.isNaN(v) ? Code.primary("adj_nan_f()")
          : Double.isInfinite(v) ? infinity(v > 0, "adj_inf_f()")
          : number(Float.toString((float) v).replace('E', 'e') + "f");
    };
  }

  private static Code infinity(boolean positive, String call) {
    return positive ? Code.primary(call) : new Code("-" + call, Level.PREFIX, true);
  }

  private static Code number(String text) {
    boolean negative = text.startsWith("-");
    return new Code(text, negative ? Level.PREFIX : Level.PRIMARY, negative);
  }

  /** The reducer type of the prelude for {@code v = v op e} at {@code dtype} ({@code AdjSumF32}). */
  static String reducer(Fn fn, DType dtype) {
    String op = switch (fn) {
      case ADD -> "Sum";
      case MUL -> "Prod";
      case MAX -> "Max";
      case MIN -> "Min";
      default -> throw new IllegalArgumentException("no block reduction for " + fn.opName());
    };
    Function<DType, String> suffix = d -> switch (d) {
      case F32 -> "F32";
      case F64 -> "F64";
      case I32 -> "I32";
      case BF16 -> "Bf16";
      case F16 -> "F16";
      case BOOL -> throw new IllegalArgumentException("no block reduction of bool");
    };
    return "Adj" + op + suffix.apply(dtype);
  }
}
