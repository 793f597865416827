package dev.adjoint.codegen.java;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.adjoint.codegen.java.Env.Binding;
import dev.adjoint.codegen.java.Env.Kind;
import dev.adjoint.compiler.ir.Binary.Fn;
import dev.adjoint.compiler.kernel.CFamilyOps;
import dev.adjoint.compiler.ir.Dim;
import dev.adjoint.compiler.kernel.KExpr;
import dev.adjoint.compiler.render.CExpressionPrinter;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.exec.KernelMath;
import dev.adjoint.runtime.random.Philox4x32;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints kernel IR expressions as Java, so that Java computes exactly what {@code KernelInterpreter}
 * computes: the shared C-family printer ({@link CExpressionPrinter}) with Java's tokens and
 * spelling table ({@link JavaLanguage}): f32 arithmetic in {@code float} (for + − × ÷ the float
 * result equals the double result rounded to float), f64 in {@code double}, functions in double
 * and then narrowed, bf16 and f16 rounded after every operation by {@link KernelMath}, i32
 * {@code /} and {@code %} as floor operations (plain {@code /} and {@code %} where both operands
 * are known to be non-negative), and {@code where} as a conditional expression, which evaluates
 * one branch, or {@link KernelMath#select} where both values are cheap and safe. This class adds
 * what is Java's own: the scope's names, sizes as terms of the program's sizes, random draws from
 * a scratch row, and the JavaPoet code the rest of the emitter composes.
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
    return java(new Printer(env).index(e, what));
  }

  /** {@code e} rounded to {@code dtype}, as stores, declarations and assignments round. */
  Code converted(KExpr e, DType dtype, Env env) {
    return java(new Printer(env).converted(e, dtype));
  }

  Code expr(KExpr e, Env env) {
    return java(new Printer(env).expr(e));
  }

  static String site(KExpr.Random r) {
    return "0x" + Integer.toHexString(r.site());
  }

  /**
   * The shared C-family printer ({@link CExpressionPrinter}) with {@link JavaLanguage}'s tokens,
   * reading the names of one scope: what is Java's own here is where a value lives (a local, a
   * lambda's scratch row of random draws, a size's terms) and the branch-free select.
   */
  private final class Printer extends CExpressionPrinter {
    private final Env env;

    Printer(Env env) {
      super(JavaLanguage.INSTANCE);
      this.env = env;
    }

    @Override
    protected dev.adjoint.compiler.render.Code variable(KExpr.Var v) {
      Binding b = scalar(v.name(), env);
      if (b.dtype() != v.dtype()) throw context.error("variable " + v.name() + " is " + b.dtype() + " but read as " + v.dtype());
      return dev.adjoint.compiler.render.Code.primary(b.java());
    }

    @Override
    protected dev.adjoint.compiler.render.Code element(KExpr.Element el) {
      Binding b = array(el.array(), env);
      if (b.dtype() != el.dtype()) throw context.error("array " + el.array() + " is " + b.dtype() + " but read as " + el.dtype());
      return dev.adjoint.compiler.render.Code.primary(b.java(), "[", index(el.index(), "index of " + el.array()), "]");
    }

    @Override
    protected dev.adjoint.compiler.render.Code load(KExpr.Load l) {
      if (!context.readable().contains(l.buffer())) {
        throw context.error("loads from buffer " + l.buffer().name() + ", which is not in its reads or writes");
      }
      var idx = index(l.index(), "index of " + l.buffer().name());
      return dev.adjoint.compiler.render.Code.primary(context.bufferName(l.buffer()), "[", idx, "]");
    }

    @Override
    protected dev.adjoint.compiler.render.Code size(KExpr.Size s) {
      Code c = JavaExpressions.this.size(s);
      return dev.adjoint.compiler.render.Code.build(levelOf(c.precedence()), c.leadingMinus(), c.code());
    }

    @Override
    protected dev.adjoint.compiler.render.Code uniform(KExpr.Random r) {
      Env.Drawn row = env.drawn.get(new Env.DrawSite(r.site(), r.index()));
      if (row != null) {
        String v = scalar(row.var(), env).java();
        return row.first() == null ? dev.adjoint.compiler.render.Code.primary(row.array(), "[", v, "]")
            : dev.adjoint.compiler.render.Code.primary(row.array(), "[", v, " - ", row.first(), "]");
      }
      var idx = index(r.index(), "index of random site " + r.site());
      return dev.adjoint.compiler.render.Code.primary(Philox4x32.class, ".uniform(", context.seedName(), ", ",
          context.stepName(), ", ", site(r), ", ", idx, ")");
    }

    @Override
    protected boolean nonNegativeVariable(String name) {
      Binding b = env.scalars.get(name);
      return b != null && b.nonNegative();
    }

    @Override
    protected boolean nonNegativeSize(Dim dim) {
      return SizeTerms.of(dim).nonNegative();
    }

    @Override
    protected RuntimeException error(String message) {
      return context.error(message);
    }

    /**
     * A float select whose values are cheap and cannot throw (no array reads, no integer division)
     * is computed without a branch: on masks drawn from data a branch mispredicts.
     */
    @Override
    protected dev.adjoint.compiler.render.Code select(KExpr.Select s, dev.adjoint.compiler.render.Code c,
        dev.adjoint.compiler.render.Code a, dev.adjoint.compiler.render.Code b) {
      if (s.dtype().isFloating() && evaluatesSafely(s.a()) && evaluatesSafely(s.b())) {
        return dev.adjoint.compiler.render.Code.primary(KernelMath.class, ".select(", c, ", ", a, ", ", b, ")");
      }
      return super.select(s, c, a, b);
    }
  }

  /** The printer's pieces as JavaPoet code: text as {@code $L}, classes and type names as {@code $T} (imported). */
  private static Code java(dev.adjoint.compiler.render.Code c) {
    CodeBlock.Builder out = CodeBlock.builder();
    for (Object part : c.parts()) {
      if (part instanceof Class<?> || part instanceof TypeName) out.add("$T", part);
      else out.add("$L", part);
    }
    return new Code(out.build(), c.level().ordinal() + 1, c.leadingMinus());
  }

  private static dev.adjoint.compiler.render.Code shared(Code c) {
    return dev.adjoint.compiler.render.Code.build(levelOf(c.precedence()), c.leadingMinus(), c.code());
  }

  private static CFamilyOps.Level levelOf(int precedence) {
    return CFamilyOps.Level.values()[precedence - 1];
  }

  /** A printer with no names in scope: for conversions and literals, which read none. */
  private static final CExpressionPrinter NO_NAMES = new CExpressionPrinter(JavaLanguage.INSTANCE) {
    @Override
    protected dev.adjoint.compiler.render.Code variable(KExpr.Var v) {
      throw error("no names here");
    }

    @Override
    protected dev.adjoint.compiler.render.Code element(KExpr.Element e) {
      throw error("no names here");
    }

    @Override
    protected dev.adjoint.compiler.render.Code load(KExpr.Load l) {
      throw error("no names here");
    }

    @Override
    protected dev.adjoint.compiler.render.Code size(KExpr.Size s) {
      throw error("no names here");
    }

    @Override
    protected dev.adjoint.compiler.render.Code uniform(KExpr.Random r) {
      throw error("no names here");
    }

    @Override
    protected boolean nonNegativeVariable(String name) {
      return false;
    }

    @Override
    protected boolean nonNegativeSize(Dim dim) {
      return false;
    }

    @Override
    protected RuntimeException error(String message) {
      return new IllegalStateException(message);
    }
  };

  /** Whether an i32 expression is known never to be negative in {@code env}. */
  boolean nonNegative(KExpr e, Env env) {
    return new Printer(env).nonNegative(e);
  }

  /** {@code x op y} with the shared printer's parenthesisation ({@link CExpressionPrinter#infix}). */
  static Code infix(String op, int precedence, Code x, Code y, boolean chains) {
    return java(CExpressionPrinter.infix(op, levelOf(precedence), shared(x), shared(y), chains));
  }

  static CodeBlock operand(Code x, int min) {
    return x.precedence() < min ? CodeBlock.of("($L)", x.code()) : x.code();
  }

  /** A double-valued expression rounded to {@code d}, the interpreter's rounding after each operation. */
  static Code narrow(Code inDouble, DType d) {
    if (d == DType.BOOL) return infix("!=", EQUALITY, inDouble, Code.of(PRIMARY, "0.0"), false);
    return convert(inDouble, DType.F64, d);
  }

  static Code toDouble(Code x, DType from) {
    return from == DType.BOOL ? Code.of(TERNARY, "$L ? 1.0 : 0.0", operand(x, OR)) : x;
  }

  /** {@code x} of type {@code from} converted to {@code to} as the interpreter rounds. */
  static Code convert(Code x, DType from, DType to) {
    return from == to ? x : java(NO_NAMES.convert(shared(x), from, to));
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
    return java(NO_NAMES.literal(dtype, value));
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
