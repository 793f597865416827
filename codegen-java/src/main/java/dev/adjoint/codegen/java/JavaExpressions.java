package dev.adjoint.codegen.java;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.adjoint.codegen.java.Env.Binding;
import dev.adjoint.codegen.java.Env.Kind;
import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.kernel.CFamilyOps;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.exec.ExpF32;
import dev.adjoint.runtime.exec.KernelMath;
import dev.adjoint.runtime.math.SpecialFunctions;
import dev.adjoint.runtime.random.Philox4x32;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints kernel IR expressions as Java, so that Java computes exactly what {@code KernelInterpreter}
 * computes: f32 arithmetic in {@code float} (for + − × ÷ the float result equals the double result
 * rounded to float), f64 in {@code double}, functions in double and then narrowed, bf16 and f16
 * rounded after every operation by {@link KernelMath}, i32 {@code /} and {@code %} as floor
 * operations (plain {@code /} and {@code %} where both operands are known to be non-negative), and
 * {@code where} as a conditional expression, which evaluates one branch. Operands are parenthesised
 * by the shared C-family precedence levels ({@link CFamilyOps}).
 *
 * <p>Its surface: {@link #expr}, {@link #index} and {@link #converted} print an expression in a
 * scope; {@link #convert}, {@link #literal} and {@link #javaType} are the dtype helpers; the rest
 * are lookups of the scope's names.
 */
final class JavaExpressions {
  // Java operator precedence, loosest first: the shared C-family op table's levels.
  static final int TERNARY = level(CFamilyOps.Level.TERNARY);
  static final int OR = level(CFamilyOps.Level.OR);
  static final int AND = level(CFamilyOps.Level.AND);
  static final int EQUALITY = level(CFamilyOps.Level.EQUALITY);
  static final int RELATION = level(CFamilyOps.Level.RELATION);
  static final int ADDITIVE = level(CFamilyOps.Level.ADDITIVE);
  static final int MULTIPLICATIVE = level(CFamilyOps.Level.MULTIPLICATIVE);
  static final int UNARY = level(CFamilyOps.Level.PREFIX);
  static final int PRIMARY = level(CFamilyOps.Level.PRIMARY);

  private static int level(CFamilyOps.Level level) {
    return level.ordinal() + 1;
  }

  /** A printed expression: its code, how tightly it binds, and whether its text starts with a minus. */
  record Code(CodeBlock code, int precedence, boolean leadingMinus) {
    static Code of(int precedence, String format, Object... args) {
      return new Code(CodeBlock.of(format, args), precedence, false);
    }
  }

  private final KernelContext context;

  JavaExpressions(KernelContext context) {
    this.context = context;
  }

  /** {@code e}, which must be i32, printed as an index; {@code what} names it in the error. */
  Code index(KExpr e, Env env, String what) {
    if (e.dtype() != DType.I32) throw context.error(what + " must be i32, is " + e.dtype());
    return expr(e, env);
  }

  /** {@code e} rounded to {@code dtype}, as stores, declarations and assignments round. */
  Code converted(KExpr e, DType dtype, Env env) {
    return convert(expr(e, env), e.dtype(), dtype);
  }

  Code expr(KExpr e, Env env) {
    return switch (e) {
      case KExpr.Const c -> literal(c.dtype(), c.value());
      case KExpr.Var v -> {
        Binding b = scalar(v.name(), env);
        if (b.dtype() != v.dtype()) throw context.error("variable " + v.name() + " is " + b.dtype() + " but read as " + v.dtype());
        yield Code.of(PRIMARY, "$N", b.java());
      }
      case KExpr.Size s -> size(s);
      case KExpr.Load l -> {
        if (!context.readable().contains(l.buffer())) {
          throw context.error("loads from buffer " + l.buffer().name() + ", which is not in its reads or writes");
        }
        Code idx = index(l.index(), env, "index of " + l.buffer().name());
        yield Code.of(PRIMARY, "$N[$L]", context.bufferName(l.buffer()), idx.code());
      }
      case KExpr.Element el -> {
        Binding b = array(el.array(), env);
        if (b.dtype() != el.dtype()) throw context.error("array " + el.array() + " is " + b.dtype() + " but read as " + el.dtype());
        Code idx = index(el.index(), env, "index of " + el.array());
        yield Code.of(PRIMARY, "$N[$L]", b.java(), idx.code());
      }
      case KExpr.Unary u -> unary(u, env);
      case KExpr.Binary b -> binary(b, env);
      case KExpr.Select s -> {
        if (s.a().dtype() != s.b().dtype()) throw context.error("where of " + s.a().dtype() + " and " + s.b().dtype());
        Code c = convert(expr(s.condition(), env), s.condition().dtype(), DType.BOOL);
        Code a = expr(s.a(), env);
        Code b = expr(s.b(), env);
        // A float select whose values are cheap and cannot throw (no array reads, no integer
        // division) is computed without a branch: on masks drawn from data a branch mispredicts.
        if (s.dtype().isFloating() && evaluatesSafely(s.a()) && evaluatesSafely(s.b())) {
          yield Code.of(PRIMARY, "$T.select($L, $L, $L)", KernelMath.class, c.code(), a.code(), b.code());
        }
        yield new Code(CodeBlock.of("$L ? $L : $L", operand(c, OR), operand(a, OR), operand(b, OR)), TERNARY,
            c.leadingMinus());
      }
      case KExpr.Cast c -> convert(expr(c.x(), env), c.x().dtype(), c.dtype());
      case KExpr.Random r -> {
        Env.Drawn row = env.drawn.get(new Env.DrawSite(r.site(), r.index()));
        if (row != null) {
          String v = scalar(row.var(), env).java();
          Code u = row.first() == null ? Code.of(PRIMARY, "$N[$N]", row.array(), v)
              : Code.of(PRIMARY, "$N[$N - $L]", row.array(), v, row.first());
          yield convert(u, DType.F32, r.dtype());
        }
        Code idx = index(r.index(), env, "index of random site " + r.site());
        Code u = Code.of(PRIMARY, "$T.uniform($N, $N, $L, $L)", Philox4x32.class, context.seedName(), context.stepName(),
            site(r), idx.code());
        yield convert(u, DType.F32, r.dtype());
      }
    };
  }

  static String site(KExpr.Random r) {
    return "0x" + Integer.toHexString(r.site());
  }

  private Code unary(KExpr.Unary u, Env env) {
    Code x = expr(u.x(), env);
    DType d = u.dtype();
    var fn = u.fn();
    switch (fn) {
      case NEG -> {
        if (d == DType.BOOL) throw context.error("neg of bool");
        return prefix("-", x);
      }
      case NOT -> {
        if (d != DType.BOOL) throw context.error("not of " + d);
        return prefix("!", x);
      }
      case ABS -> {
        if (d == DType.BOOL) throw context.error("abs of bool");
        return Code.of(PRIMARY, "$T.abs($L)", Math.class, x.code());
      }
      case SIGN -> {
        if (d == DType.BOOL) throw context.error("sign of bool");
        return Code.of(PRIMARY, "$T.signum($L)", d == DType.I32 ? Integer.class : Math.class, x.code());
      }
      default -> {
        if (!d.isFloating()) throw context.error(fn.opName() + " of " + d);
        // f32 only: bf16 and f16 must round the interpreter's double exp to give its bits.
        if (fn == dev.adjoint.compiler.ir.Unary.Fn.EXP && d == DType.F32) {
          return Code.of(PRIMARY, "$T.exp($L)", ExpF32.class, x.code());
        }
        Code inDouble = switch (fn) {
          case EXP -> call("exp", x);
          case LOG -> call("log", x);
          case LOG1P -> call("log1p", x);
          case SQRT -> call("sqrt", x);
          case SIN -> call("sin", x);
          case COS -> call("cos", x);
          case TANH -> call("tanh", x);
          case RSQRT -> Code.of(MULTIPLICATIVE, "1.0 / $L", call("sqrt", x).code());
          case ERF -> Code.of(PRIMARY, "$T.erf($L)", SpecialFunctions.class, x.code());
          default -> throw new AssertionError(fn);
        };
        return narrow(inDouble, d);
      }
    }
  }

  private static Code call(String method, Code x) {
    return Code.of(PRIMARY, "$T.$L($L)", Math.class, method, x.code());
  }

  private Code binary(KExpr.Binary b, Env env) {
    DType t = b.a().dtype();
    if (t != b.b().dtype()) throw context.error(b.fn().opName() + " of " + t + " and " + b.b().dtype());
    Code x = expr(b.a(), env);
    Code y = expr(b.b(), env);
    Fn fn = b.fn();
    if (fn.isComparison()) {
      if (t == DType.BOOL && fn != Fn.EQ && fn != Fn.NE) throw context.error(fn.opName() + " of bool");
      return infix(operator(fn), level(CFamilyOps.level(fn)), x, y, CFamilyOps.chains(fn));
    }
    if (fn.isLogical()) {
      if (t != DType.BOOL) throw context.error(fn.opName() + " of " + t);
      return infix(CFamilyOps.infix(fn), level(CFamilyOps.level(fn)), x, y, CFamilyOps.chains(fn));
    }
    if (t == DType.BOOL) throw context.error(fn.opName() + " of bool");
    return switch (fn) {
      case ADD, SUB -> {
        // x + (-2) reads as x - 2, and is the same operation: IEEE subtraction adds the negation.
        if (b.b() instanceof KExpr.Const c && negativeLiteral(t, c.value())) {
          Code flipped = literal(t, -roundConst(t, c.value()));
          yield roundHalf(infix(fn == Fn.ADD ? "-" : "+", ADDITIVE, x, flipped, true), t);
        }
        yield roundHalf(infix(operator(fn), ADDITIVE, x, y, true), t);
      }
      case MUL -> roundHalf(infix(operator(fn), MULTIPLICATIVE, x, y, true), t);
      case DIV -> {
        if (t == DType.I32) {
          yield plainIntegerDivision(b, env) ? infix(operator(fn), MULTIPLICATIVE, x, y, true)
              : Code.of(PRIMARY, "$T.floorDiv($L, $L)", Math.class, x.code(), y.code());
        }
        yield roundHalf(infix(operator(fn), MULTIPLICATIVE, x, y, true), t);
      }
      case MOD -> {
        if (t == DType.I32) {
          yield plainIntegerDivision(b, env) ? infix(operator(fn), MULTIPLICATIVE, x, y, true)
              : Code.of(PRIMARY, "$T.floorMod($L, $L)", Math.class, x.code(), y.code());
        }
        yield narrow(Code.of(PRIMARY, "$T.floorMod($L, $L)", KernelMath.class, x.code(),
            y.code()), t);
      }
      case POW -> t == DType.I32
          ? Code.of(PRIMARY, "$T.intPow($L, $L)", KernelMath.class, x.code(), y.code())
          : narrow(Code.of(PRIMARY, "$T.pow($L, $L)", Math.class, x.code(), y.code()), t);
      // The larger or smaller operand is one of them, already of the type: nothing to round.
      case MAX -> Code.of(PRIMARY, "$T.max($L, $L)", Math.class, x.code(), y.code());
      case MIN -> Code.of(PRIMARY, "$T.min($L, $L)", Math.class, x.code(), y.code());
      default -> throw new AssertionError(fn);
    };
  }

  /** A literal whose sign bit is set and whose negation is a literal of the type too. */
  private static boolean negativeLiteral(DType t, double value) {
    double v = roundConst(t, value);
    if (Double.isNaN(v) || Double.doubleToRawLongBits(v) >= 0) return false;
    return t != DType.I32 || v != Integer.MIN_VALUE;
  }

  /** Integer {@code /} and {@code %} are the floor operations when neither operand can be negative. */
  private boolean plainIntegerDivision(KExpr.Binary b, Env env) {
    boolean zeroDivisor = b.b() instanceof KExpr.Const c && c.value() == 0;
    return !zeroDivisor && nonNegative(b.a(), env) && nonNegative(b.b(), env);
  }

  boolean nonNegative(KExpr e, Env env) {
    return switch (e) {
      case KExpr.Const c -> c.dtype() == DType.I32 && roundConst(DType.I32, c.value()) >= 0;
      case KExpr.Size s -> SizeTerms.of(s.dim()).nonNegative();
      case KExpr.Var v -> {
        Binding b = env.scalars.get(v.name());
        yield b != null && b.nonNegative();
      }
      case KExpr.Binary b -> switch (b.fn()) {
        case ADD, MUL, DIV, MOD, MIN -> b.a().dtype() == DType.I32 && nonNegative(b.a(), env) && nonNegative(b.b(), env);
        case MAX -> b.a().dtype() == DType.I32 && (nonNegative(b.a(), env) || nonNegative(b.b(), env));
        default -> false;
      };
      default -> false;
    };
  }

  private static String operator(Fn fn) {
    String symbol = CFamilyOps.infix(fn);
    if (symbol == null || fn == Fn.AND || fn == Fn.OR) throw new AssertionError(fn);
    return symbol;
  }


  /**
   * {@code x op y}. A left-associative operator takes a left operand of its own precedence
   * unparenthesised ({@code a - b - c}); the right operand always needs a tighter one, so
   * {@code a - (b - c)} and {@code a + (b + c)} (not associative in floating point) keep theirs.
   */
  static Code infix(String op, int precedence, Code x, Code y, boolean chains) {
    int min = chains ? precedence : precedence + 1;
    CodeBlock left = operand(x, min);
    // x * (-2.0) and x - (-y): a minus right after an arithmetic operator reads as a typo.
    boolean arithmetic = precedence == ADDITIVE || precedence == MULTIPLICATIVE;
    CodeBlock right = y.leadingMinus() && arithmetic ? parenthesized(y) : operand(y, precedence + 1);
    return new Code(CodeBlock.of("$L $L $L", left, op, right), precedence, x.leadingMinus() && x.precedence() >= min);
  }

  private static Code prefix(String op, Code x) {
    CodeBlock inner = x.leadingMinus() || x.precedence() < UNARY ? parenthesized(x) : x.code();
    return new Code(CodeBlock.of("$L$L", op, inner), UNARY, op.equals("-"));
  }

  private static Code cast(TypeName type, Code x) {
    CodeBlock inner = x.leadingMinus() || x.precedence() < UNARY ? parenthesized(x) : x.code();
    return new Code(CodeBlock.of("($T) $L", type, inner), UNARY, false);
  }

  static CodeBlock operand(Code x, int min) {
    return x.precedence() < min ? parenthesized(x) : x.code();
  }

  private static CodeBlock parenthesized(Code x) {
    return CodeBlock.of("($L)", x.code());
  }

  /** A double-valued expression rounded to {@code d}, the interpreter's rounding after each operation. */
  static Code narrow(Code inDouble, DType d) {
    return switch (d) {
      case F64 -> inDouble;
      case F32 -> cast(TypeName.FLOAT, inDouble);
      case F16 -> Code.of(PRIMARY, "$T.f16($L)", KernelMath.class, inDouble.code());
      case BF16 -> Code.of(PRIMARY, "$T.bf16($L)", KernelMath.class, inDouble.code());
      case I32 -> cast(TypeName.INT, cast(TypeName.LONG, inDouble));
      case BOOL -> infix("!=", EQUALITY, inDouble, Code.of(PRIMARY, "0.0"), false);
    };
  }

  /**
   * Float arithmetic on bf16 or f16 values, rounded to the half type: the float result is the
   * exact result rounded to float, as the interpreter's double result rounded to float is.
   */
  private static Code roundHalf(Code floatResult, DType d) {
    return d == DType.F16 || d == DType.BF16 ? narrow(floatResult, d) : floatResult;
  }

  static Code toDouble(Code x, DType from) {
    return switch (from) {
      case F64 -> x;
      case BOOL -> Code.of(TERNARY, "$L ? 1.0 : 0.0", operand(x, OR));
      default -> x;
    };
  }

  /** {@code x} of type {@code from} converted to {@code to} as the interpreter rounds. */
  static Code convert(Code x, DType from, DType to) {
    if (from == to) return x;
    if (from == DType.BOOL) {
      return switch (to) {
        case F64 -> Code.of(TERNARY, "$L ? 1.0 : 0.0", operand(x, OR));
        case I32 -> Code.of(TERNARY, "$L ? 1 : 0", operand(x, OR));
        default -> Code.of(TERNARY, "$L ? 1.0f : 0.0f", operand(x, OR));
      };
    }
    return switch (to) {
      case F64 -> cast(TypeName.DOUBLE, x);
      // bf16 and f16 values are floats already: widening is exact.
      case F32 -> from == DType.F64 || from == DType.I32 ? cast(TypeName.FLOAT, x) : x;
      case F16, BF16 -> narrow(x, to);
      case I32 -> cast(TypeName.INT, cast(TypeName.LONG, x));
      case BOOL -> infix("!=", EQUALITY, x, Code.of(PRIMARY, from == DType.I32 ? "0" : "0.0f"), false);
    };
  }

  private Code size(KExpr.Size s) {
    SizeTerms terms = SizeTerms.of(s.dim());
    if (terms.terms().isEmpty()) return Code.of(PRIMARY, "0");
    CodeBlock.Builder out = CodeBlock.builder();
    boolean first = true;
    boolean leadingMinus = false;
    int precedence = terms.terms().size() > 1 ? ADDITIVE : PRIMARY;
    for (SizeTerms.Term t : terms.terms()) {
      long c = t.coefficient();
      if (first) {
        if (c < 0) {
          out.add("-");
          leadingMinus = true;
          precedence = Math.min(precedence, UNARY);
        }
      } else {
        out.add(c < 0 ? " - " : " + ");
      }
      first = false;
      List<CodeBlock> factors = new ArrayList<>();
      long abs = Math.abs(c);
      if (abs != 1 || t.symbols().isEmpty()) factors.add(CodeBlock.of("$L", abs));
      for (String symbol : t.symbols()) {
        String name = context.useSize(symbol);
        if (name == null) throw context.error("size " + symbol + " is not a size of the program");
        factors.add(CodeBlock.of("$N", name));
      }
      if (factors.size() > 1) precedence = Math.min(precedence, MULTIPLICATIVE);
      out.add(CodeBlock.join(factors, " * "));
    }
    return new Code(out.build(), precedence, leadingMinus);
  }

  static double roundConst(DType dtype, double v) {
    return switch (dtype) {
      case F64 -> v;
      case F32 -> (float) v;
      case F16 -> KernelMath.f16(v);
      case BF16 -> KernelMath.bf16(v);
      case I32 -> Double.isNaN(v) ? 0 : (double) (int) (long) v;
      case BOOL -> v != 0 ? 1 : 0;
    };
  }

  /** A literal of the dtype, with the value the interpreter gives the constant. */
  static Code literal(DType dtype, double value) {
    double v = roundConst(dtype, value);
    return switch (dtype) {
      case BOOL -> Code.of(PRIMARY, v != 0 ? "true" : "false");
      case I32 -> number(Integer.toString((int) v));
      case F64 -> Double.isNaN(v) ? Code.of(PRIMARY, "$T.NaN", Double.class)
          : Double.isInfinite(v) ? Code.of(PRIMARY, "$T.$L", Double.class, v > 0 ? "POSITIVE_INFINITY" : "NEGATIVE_INFINITY")
          : number(Double.toString(v));
      case F32, F16, BF16 -> Double.isNaN(v) ? Code.of(PRIMARY, "$T.NaN", Float.class)
          : Double.isInfinite(v) ? Code.of(PRIMARY, "$T.$L", Float.class, v > 0 ? "POSITIVE_INFINITY" : "NEGATIVE_INFINITY")
          : number(Float.toString((float) v) + "f");
    };
  }

  private static Code number(String text) {
    boolean negative = text.startsWith("-");
    return new Code(CodeBlock.of("$L", text), negative ? UNARY : PRIMARY, negative);
  }

  static String zero(DType dtype) {
    return switch (dtype) {
      case F64 -> "0.0";
      case I32 -> "0";
      case BOOL -> "false";
      default -> "0.0f";
    };
  }

  /** The Java element type of a dtype: bf16 and f16 values live in floats. */
  static TypeName javaType(DType dtype) {
    return switch (dtype) {
      case F32, F16, BF16 -> TypeName.FLOAT;
      case F64 -> TypeName.DOUBLE;
      case I32 -> TypeName.INT;
      case BOOL -> TypeName.BOOLEAN;
    };
  }

  // ---- names in scope

  /** Whether evaluating {@code e} twice gives the same value: it reads no mutable local and no buffer. */
  boolean readsOnlyFinals(KExpr e, Env env) {
    return switch (e) {
      case KExpr.Const c -> true;
      case KExpr.Size s -> true;
      case KExpr.Var v -> {
        Binding b = env.scalars.get(v.name());
        yield b != null && b.kind() != Kind.DECLARE;
      }
      case KExpr.Binary b -> readsOnlyFinals(b.a(), env) && readsOnlyFinals(b.b(), env);
      case KExpr.Unary u -> readsOnlyFinals(u.x(), env);
      case KExpr.Cast c -> readsOnlyFinals(c.x(), env);
      default -> false;
    };
  }

  Binding scalar(String name, Env env) {
    Binding b = env.scalars.get(name);
    if (b == null) throw context.error("variable " + name + " is not bound here");
    if (b.kind() == Kind.DECLARE && b.lambda() < env.lambda) throw new Env.CapturesMutable();
    return b;
  }

  Binding array(String name, Env env) {
    Binding b = env.arrays.get(name);
    if (b == null) throw context.error("array " + name + " is not declared here");
    if (b.lambda() < env.lambda) throw new Env.CapturesMutable();
    return b;
  }

  /**
   * Whether computing {@code e} where a select might not have needed it is harmless and cheap:
   * literals, variables, sizes and arithmetic on them, with no array read (an index that only the
   * select kept in bounds), no integer division or remainder (a divisor it kept from zero) and no
   * function call.
   */
  private static boolean evaluatesSafely(KExpr e) {
    return switch (e) {
      case KExpr.Const c -> true;
      case KExpr.Var v -> true;
      case KExpr.Size z -> true;
      case KExpr.Binary b -> !(b.dtype() == DType.I32 && (b.fn() == Fn.DIV || b.fn() == Fn.MOD || b.fn() == Fn.POW))
          && evaluatesSafely(b.a()) && evaluatesSafely(b.b());
      case KExpr.Unary u -> u.fn() == dev.adjoint.compiler.ir.Unary.Fn.NEG && evaluatesSafely(u.x());
      case KExpr.Cast c -> evaluatesSafely(c.x());
      default -> false;
    };
  }
}
