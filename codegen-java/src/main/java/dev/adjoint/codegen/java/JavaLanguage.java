package dev.adjoint.codegen.java;

import dev.adjoint.compiler.ir.Binary;
import dev.adjoint.compiler.ir.Unary;
import dev.adjoint.compiler.kernel.CFamilyOps.Level;
import dev.adjoint.compiler.render.CLanguage;
import dev.adjoint.compiler.render.Code;
import dev.adjoint.compiler.render.Spelling;
import dev.adjoint.runtime.DType;
import dev.adjoint.runtime.exec.ExpF32;
import dev.adjoint.runtime.exec.KernelMath;
import dev.adjoint.runtime.math.SpecialFunctions;
import java.util.List;

/**
 * Java's tokens for the shared C-family printer: functions computed in double by {@link Math}
 * and narrowed (the interpreter's correctly rounded double result, rounded), except f32
 * {@code exp} by {@link ExpF32} with the same bits; bf16 and f16 rounded by {@link KernelMath};
 * floor division and modulo from {@link Math} and {@link KernelMath}. Class references are pieces
 * of the printed {@link Code}, written with JavaPoet's {@code $T} so they are imported.
 */
enum JavaLanguage implements CLanguage {
  INSTANCE;

  @Override
  public String languageName() {
    return "Java";
  }

  @Override
  public Object typeName(DType dtype) {
    return switch (dtype) {
      case F32, F16, BF16 -> "float";
      case F64 -> "double";
      case I32 -> "int";
      case BOOL -> "boolean";
    };
  }

  @Override
  public Object wideInteger() {
    return "long";
  }

  @Override
  public Code literal(DType dtype, double v) {
    return switch (dtype) {
      case BOOL -> Code.primary(v != 0 ? "true" : "false");
      case I32 -> Code.number(Integer.toString((int) v));
      case F64 -> Double.isNaN(v) ? Code.primary(Double.class, ".NaN")
          : Double.isInfinite(v) ? Code.primary(Double.class, v > 0 ? ".POSITIVE_INFINITY" : ".NEGATIVE_INFINITY")
          : Code.number(Double.toString(v));
      case F32, F16, BF16 -> Double.isNaN(v) ? Code.primary(Float.class, ".NaN")
          : Double.isInfinite(v) ? Code.primary(Float.class, v > 0 ? ".POSITIVE_INFINITY" : ".NEGATIVE_INFINITY")
          : Code.number(Float.toString((float) v) + "f");
    };
  }

  /** The spelling table of unary functions. */
  @Override
  public Spelling unary(Unary.Fn fn, DType d) {
    return switch (fn) {
      case NEG -> Spelling.prefixOperator("-");
      case NOT -> Spelling.prefixOperator("!");
      case ABS -> Spelling.exactCall(Math.class, ".abs");
      case SIGN -> Spelling.exactCall(d == DType.I32 ? Integer.class : Math.class, ".signum");
      // f32 only: bf16 and f16 must round the interpreter's double exp to give its bits.
      case EXP -> d == DType.F32 ? Spelling.call(DType.F32, ExpF32.class, ".exp") : inDouble(Math.class, ".exp");
      case LOG -> inDouble(Math.class, ".log");
      case LOG1P -> inDouble(Math.class, ".log1p");
      case SQRT -> inDouble(Math.class, ".sqrt");
      case RSQRT -> new Spelling(List.of("1.0 / ", Math.class, ".sqrt("), List.of(), List.of(")"), Level.MULTIPLICATIVE,
          false, DType.F64, null);
      case SIN -> inDouble(Math.class, ".sin");
      case COS -> inDouble(Math.class, ".cos");
      case TANH -> inDouble(Math.class, ".tanh");
      case ERF -> inDouble(SpecialFunctions.class, ".erf");
    };
  }

  /** The spelling table of binary functions. */
  @Override
  public Spelling binary(Binary.Fn fn, DType t) {
    return switch (fn) {
      case POW -> t == DType.I32 ? Spelling.exactCall(KernelMath.class, ".intPow") : inDouble(Math.class, ".pow");
      // The larger or smaller operand is one of them, already of the type: nothing to round.
      case MAX -> Spelling.exactCall(Math.class, ".max");
      case MIN -> Spelling.exactCall(Math.class, ".min");
      case DIV -> t == DType.I32 ? Spelling.exactCall(Math.class, ".floorDiv") : null;
      case MOD -> t == DType.I32 ? Spelling.exactCall(Math.class, ".floorMod") : inDouble(KernelMath.class, ".floorMod");
      default -> null;
    };
  }

  private static Spelling inDouble(Class<?> owner, String method) {
    return Spelling.call(DType.F64, owner, method);
  }

  @Override
  public Code roundToHalf(Code x, DType from, DType half) {
    return Code.primary(KernelMath.class, half == DType.F16 ? ".f16(" : ".bf16(", x, ")");
  }
}
