package dev.adjoint.codegen.cuda;

import dev.adjoint.compiler.ir.Binary;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.compiler.kernel.CFamilyOps.Level;
import dev.adjoint.compiler.render.CLanguage;
import dev.adjoint.compiler.render.Code;
import dev.adjoint.compiler.render.Spelling;
import dev.adjoint.runtime.DType;

/**
 * CUDA C's tokens for the shared C-family printer (tinygrad's {@code CUDARenderer}): f32 functions
 * from the single-precision library ({@code expf}, within a few ulp of the interpreter's correctly
 * rounded double results), bf16 and f16 computed in float and rounded by the prelude's
 * {@code adj_bf16} / {@code adj_f16}, {@code max}/{@code min} propagating NaN, floor division and
 * modulo from the prelude, special floats from the prelude ({@code adj_nan_f()}).
 */
enum CudaLanguage implements CLanguage {
  INSTANCE;

  @Override
  public String languageName() {
    return "CUDA C";
  }

  @Override
  public Object typeName(DType dtype) {
    return CudaExpressions.registerType(dtype);
  }

  @Override
  public Object wideInteger() {
    return "long long";
  }

  @Override
  public Code literal(DType dtype, double v) {
    return switch (dtype) {
      case BOOL -> Code.primary(v != 0 ? "true" : "false");
      case I32 -> v == Integer.MIN_VALUE ? Code.primary("(-2147483647 - 1)") : Code.number(Integer.toString((int) v));
      case F64 -> Double.isNaN(v) ? Code.primary("adj_nan_d()")
          : Double.isInfinite(v) ? infinity(v > 0, "adj_inf_d()")
          : Code.number(Double.toString(v).replace('E', 'e'));
      case F32, F16, BF16 -> Double.isNaN(v) ? Code.primary("adj_nan_f()")
          : Double.isInfinite(v) ? infinity(v > 0, "adj_inf_f()")
          : Code.number(Float.toString((float) v).replace('E', 'e') + "f");
    };
  }

  private static Code infinity(boolean positive, String call) {
    return positive ? Code.primary(call) : Code.build(Level.PREFIX, true, "-", call);
  }

  /**
   * The spelling table of unary functions: the C library's ({@code expf} on f32, bf16 and f16,
   * {@code exp} on f64) and the prelude's.
   */
  @Override
  public Spelling unary(Unary.Fn fn, DType d) {
    return switch (fn) {
      case NEG -> Spelling.prefixOperator("-");
      case NOT -> Spelling.prefixOperator("!");
      case ABS -> d == DType.I32 ? Spelling.exactCall("abs") : Spelling.exactCall(library("fabs", d));
      case SIGN -> Spelling.exactCall("adj_sign");
      case EXP -> computed("exp", d);
      case LOG -> computed("log", d);
      case LOG1P -> computed("log1p", d);
      case SQRT -> computed("sqrt", d);
      case RSQRT -> computed("rsqrt", d);
      case SIN -> computed("sin", d);
      case COS -> computed("cos", d);
      case TANH -> computed("tanh", d);
      case ERF -> computed("erf", d);
    };
  }

  /** The spelling table of binary functions. */
  @Override
  public Spelling binary(Binary.Fn fn, DType t) {
    return switch (fn) {
      case POW -> t == DType.I32 ? Spelling.exactCall("adj_ipow") : computed("pow", t);
      // The larger or smaller operand is one of them, already of the type: nothing to round.
      case MAX -> Spelling.exactCall("adj_max");
      case MIN -> Spelling.exactCall("adj_min");
      case DIV -> t == DType.I32 ? Spelling.exactCall("adj_floordiv") : null;
      case MOD -> t == DType.I32 ? Spelling.exactCall("adj_floormod")
          : Spelling.call(DType.F64, "adj_floormod").withArgumentsIn(DType.F64);
      default -> null;
    };
  }

  /** The library function {@code base} at a float type: in float ({@code expf}) for f32, bf16 and f16, in double for f64. */
  private static Spelling computed(String base, DType d) {
    return Spelling.call(d == DType.F64 ? DType.F64 : DType.F32, library(base, d));
  }

  private static String library(String base, DType d) {
    return d == DType.F64 ? base : base + "f";
  }

  @Override
  public Code roundToHalf(Code x, DType from, DType half) {
    Code value = from == DType.F64 || from == DType.I32 ? Code.of(Level.PREFIX, "(float) ", x.prefixOperand()) : x;
    return Code.primary(half == DType.BF16 ? "adj_bf16(" : "adj_f16(", value, ")");
  }
}
